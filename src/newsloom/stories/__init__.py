"""Stories: the coverage of one event, formed online as articles arrive."""

from newsloom.stories.clustering import ActiveStories, Member, StoryClusterer
from newsloom.stories.service import StoryAssignment, StoryService
from newsloom.stories.terms import headline_terms

__all__ = ["ActiveStories", "Member", "StoryAssignment", "StoryClusterer", "StoryService", "headline_terms"]
