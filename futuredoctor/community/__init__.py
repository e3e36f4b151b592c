"""Champions, their profiles and directory: how the programme's generalist-skilled
clinicians are found and contacted through the platform."""
