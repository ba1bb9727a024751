"""What pages/gradients.py imports from here until it imports from the modules this one was split into."""

from ui.charts import chart
from ui.header import top
from ui.link import kept
from ui.scenarios import preset_picker
from ui.sidebar import gradient_settings, sidebar

__all__ = ["chart", "gradient_settings", "kept", "preset_picker", "sidebar", "top"]
