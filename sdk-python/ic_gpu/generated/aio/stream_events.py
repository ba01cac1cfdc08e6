from .base_model import BaseModel
from .fragments import EventFields


class StreamEvents(BaseModel):
    events: "StreamEventsEvents"


StreamEventsEvents = EventFields
StreamEvents.model_rebuild()
