"""The trailblazer network: short write-ups of what a pilot learned, shared across the
seven regions, with comments, "useful" marks and moderation."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, enum_column, utcnow
from futuredoctor.models.module import Module
from futuredoctor.models.region import Region
from futuredoctor.models.user import User


class PostTagKind(enum.StrEnum):
    DOMAIN = "domain"  # a GPC domain code, e.g. GPC5
    PRIORITY = "priority"  # a region's local health priority, as written there


class FollowKind(enum.StrEnum):
    """What a person can follow: a post's tags, its module (by slug) or its region (by code)."""

    DOMAIN = "domain"
    PRIORITY = "priority"
    MODULE = "module"
    REGION = "region"


class NetworkMember(Base):
    """A participant who chose to post in the network (other roles may post without)."""

    __tablename__ = "network_member"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    opted_in_at: Mapped[datetime] = mapped_column(default=utcnow)


class NetworkPost(Base):
    """A write-up in Markdown (rendered sanitised). Hidden posts stay, so a moderator can
    restore them; only their author and moderators see them."""

    __tablename__ = "network_post"
    __table_args__ = (
        sa.Index("ix_network_post_created_id", "created_at", "id"),
        # The newest posts about a module (its page) or a region (its page): the first
        # entries of these, not a walk through every post by date (migration 0032).
        sa.Index("ix_network_post_module_created_id", "module_id", "created_at", "id"),
        sa.Index("ix_network_post_region_created_id", "region_id", "created_at", "id"),
        # Serves the network's search (/network?text=...) on PostgreSQL: words are matched
        # against ``search_vector`` (below). SQLite matches with LIKE, which is fine at its
        # size.
        sa.Index(
            "ix_network_post_search_vector", "search_vector", postgresql_using="gin"
        ).ddl_if(dialect="postgresql"),
        # A search with no words to match that way ("the", "%") is ILIKE '%word%' on the
        # title and body together (``search_text``): a trigram index on PostgreSQL.
        sa.Index(
            "ix_network_post_search_trgm",
            sa.text("(((title)::text || ' '::text) || body) gin_trgm_ops"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # On PostgreSQL, the words of the title and body (English stems) for search; kept by a
    # trigger whenever either is written, however it is written (the application, a bulk
    # COPY, plain SQL): migration 0030. The application never reads or writes it. Empty
    # on SQLite, whose search reads the text itself.
    search_vector: Mapped[str | None] = mapped_column(
        sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), deferred=True
    )

    author: Mapped[User] = relationship()
    region: Mapped[Region | None] = relationship()
    module: Mapped[Module | None] = relationship()
    tags: Mapped[list[NetworkPostTag]] = relationship(
        back_populates="post",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="NetworkPostTag.id",
    )

    @classmethod
    def search_text(cls) -> sa.ColumnElement[str]:
        """Title and body as one text, exactly as ``ix_network_post_search_trgm`` indexes
        it (a literal separator, not a parameter, so PostgreSQL matches the index)."""
        return cls.title + sa.literal_column("' '") + cls.body

    @property
    def domains(self) -> list[str]:
        return [t.value for t in self.tags if t.kind is PostTagKind.DOMAIN]

    @property
    def priorities(self) -> list[str]:
        return [t.value for t in self.tags if t.kind is PostTagKind.PRIORITY]


class NetworkPostTag(Base):
    """A GPC domain or local priority on a post: a row each, so filters use an index."""

    __tablename__ = "network_post_tag"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "kind", "value"),
        sa.Index("ix_network_post_tag_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("network_post.id", ondelete="CASCADE"))
    kind: Mapped[PostTagKind] = mapped_column(enum_column(PostTagKind, "post_tag_kind"))
    value: Mapped[str] = mapped_column(sa.String(200))

    post: Mapped[NetworkPost] = relationship(back_populates="tags")


class NetworkComment(Base):
    __tablename__ = "network_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("network_post.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class UsefulMark(Base):
    """One per person per post: the primary key makes a double click harmless."""

    __tablename__ = "network_useful_mark"

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("network_post.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostReport(Base):
    """Someone's report that a post should be looked at, with their reason."""

    __tablename__ = "network_post_report"
    __table_args__ = (
        # The moderators' queue reads only open reports.
        sa.Index(
            "ix_network_post_report_open",
            "post_id",
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("network_post.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a moderator dismisses the report or hides the post: it leaves the queue.
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])


class NetworkFollow(Base):
    """A person follows a GPC domain, a local priority, a module or a region: their
    Following page, champion home and weekly digest put matching posts first."""

    __tablename__ = "network_follow"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    kind: Mapped[FollowKind] = mapped_column(enum_column(FollowKind, "follow_kind"))
    value: Mapped[str] = mapped_column(sa.String(200))
    followed_at: Mapped[datetime] = mapped_column(default=utcnow)
