"""The OpenAPI 3.1 description of the evaluation API, built from the same file list and
parameters the endpoints use."""

from __future__ import annotations

from typing import Any

from futuredoctor.evaluation.scope import EARLIEST
from futuredoctor.evaluation.tokens import TOKEN_PREFIX

PARAMETERS = ("project", "kind", "scope", "date_from", "date_to", "include_free_text")
# What the server enforces, stated once for the document and the check in ``api``.
SCOPE_PATTERN = r"^(region|pilot):[A-Za-z0-9][A-Za-z0-9_-]*$"
DATE_PATTERN = (
    r"^(20[2-9][0-9]|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"  # 2020-01-01 to 2100
)
FLAG_VALUES = ("true", "false")


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _query_parameters() -> dict[str, Any]:
    date_schema = {
        "type": "string",
        "format": "date",
        "pattern": DATE_PATTERN,
        "examples": ["2026-09-01"],
    }
    return {
        "scope": {
            "name": "scope",
            "in": "query",
            "description": (
                "A region (region:CODE) or pilot (pilot:slug) you hold evaluation access to; "
                "repeat for several. Omitted: every region and pilot granted to you."
            ),
            "style": "form",
            "explode": True,
            "schema": {
                "type": "array",
                "items": {"type": "string", "pattern": SCOPE_PATTERN},
            },
            "examples": {"london": {"value": ["region:LON"]}},
        },
        "date_from": {
            "name": "date_from",
            "in": "query",
            "description": (
                "First day of the date range (UK date, inclusive), as YYYY-MM-DD, from "
                f"{EARLIEST:%d %B %Y} to 31 December 2100. Omitted: {EARLIEST:%d %B %Y}."
            ),
            "schema": date_schema,
        },
        "date_to": {
            "name": "date_to",
            "in": "query",
            "description": (
                "Last day of the date range (UK date, inclusive), as YYYY-MM-DD, from "
                f"{EARLIEST:%d %B %Y} to 31 December 2100, and not before date_from "
                "(400 otherwise). Omitted: today, or date_from if that is later."
            ),
            "schema": date_schema,
        },
        "project": {
            "name": "project",
            "in": "query",
            "description": (
                "The id of the evaluation project to export for; may be left out when you "
                "are attached to one project only."
            ),
            "schema": {"type": "string", "pattern": r"^[0-9]{1,9}$"},
        },
        "kind": {
            "name": "kind",
            "in": "query",
            "description": (
                "aggregate (suppressed counts only) or participant (pseudonymised records; "
                "only with participant-level access). Default: participant when your access "
                "allows it, otherwise aggregate."
            ),
            "schema": {"type": "string", "enum": ["aggregate", "participant"]},
        },
        "include_free_text": {
            "name": "include_free_text",
            "in": "query",
            "description": (
                "Include feedback text and educators' notes, de-identified: exactly true "
                "or false (default false)."
            ),
            "schema": {"type": "boolean", "default": False},
        },
    }


def openapi_spec(server_url: str, file_names: list[str]) -> dict[str, Any]:
    refs = [{"$ref": f"#/components/parameters/{name}"} for name in PARAMETERS]
    common_errors = {
        "400": _error("A parameter is malformed, unknown or out of range."),
        "401": _error("The token is missing, malformed, unknown, revoked or expired."),
        "403": _error(
            "The token's owner does not have evaluation access, or asked for participant-level "
            "data with aggregate-only access to the project."
        ),
        "404": _error(
            "A region, pilot or project is not one you hold evaluation access to, or the file "
            "is not in this kind of package."
        ),
        "405": _error("Only GET is allowed; the Allow header lists the methods."),
        "429": _error("Too many requests in a short period."),
        "500": _error("Something went wrong on the server."),
        "503": _error("Exports are switched off: the study secret is not configured."),
    }
    disposition = {
        "Content-Disposition": {
            "description": "attachment; filename=...",
            "schema": {"type": "string"},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Future Doctor evaluation API",
            "version": "1.0.0",
            "summary": "De-identified, consent-filtered evaluation data for evaluators' scripts.",
            "description": (
                "Download the same evaluation package as the web export page, or one CSV file "
                "of it. Authenticate with a personal API token (created on the API tokens "
                f"page; it starts with {TOKEN_PREFIX}) sent as 'Authorization: Bearer "
                "<token>'. Every download is recorded in the export record."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerToken": []}],
        "paths": {
            "/exports": {
                "get": {
                    "operationId": "downloadPackage",
                    "summary": "Download the evaluation package (zip)",
                    "description": (
                        "A zip of every CSV file, datapackage.json (Frictionless Data Package), "
                        "README.md (codebook) and MANIFEST (SHA-256 of each file). Streamed."
                    ),
                    "parameters": refs,
                    "responses": {
                        "200": {
                            "description": "The package.",
                            "headers": disposition,
                            "content": {
                                "application/zip": {
                                    "schema": {
                                        "type": "string",
                                        "contentMediaType": "application/zip",
                                    }
                                }
                            },
                        },
                        **common_errors,
                    },
                }
            },
            "/exports/{file_name}": {
                "get": {
                    "operationId": "downloadFile",
                    "summary": "Download one CSV file of the package",
                    "parameters": [
                        {
                            "name": "file_name",
                            "in": "path",
                            "required": True,
                            "description": "Which file.",
                            "schema": {"type": "string", "enum": file_names},
                        },
                        *refs,
                    ],
                    "responses": {
                        "200": {
                            "description": "The CSV file (UTF-8, header row).",
                            "headers": disposition,
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        **common_errors,
                        "404": _error(
                            "No such file, or a region or pilot you do not have access to."
                        ),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "describeApi",
                    "summary": "This description",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI 3.1 description.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "405": common_errors["405"],
                        "429": common_errors["429"],
                        "500": common_errors["500"],
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token from the API tokens page.",
                }
            },
            "parameters": _query_parameters(),
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "code", "message"],
                            "properties": {
                                "status": {"type": "integer"},
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "fields": {
                                    "type": "object",
                                    "description": "A message per bad parameter.",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        }
                    },
                }
            },
        },
    }
