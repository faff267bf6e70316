"""The HTTP shell: a FastAPI app over the same core as the CLI.

``create_app()`` builds the app; every part is an ``APIRouter`` that can be mounted elsewhere.
"""

from itsm_prm.api.app import create_app

__all__ = ["create_app"]
