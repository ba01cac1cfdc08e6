from .base_model import BaseModel
from .fragments import ViewerFields


class GetViewer(BaseModel):
    viewer: "GetViewerViewer"


GetViewerViewer = ViewerFields
GetViewer.model_rebuild()
