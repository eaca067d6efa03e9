"""Comments: posting under the rules (limits, filters, holds), and their moderation."""

from newsloom.comments.markdown import clean_comment_html, render_comment
from newsloom.comments.service import CommentResult, CommentService, ModerationService

__all__ = ["CommentResult", "CommentService", "ModerationService", "clean_comment_html", "render_comment"]
