"""kiosk: an offline voice assistant that answers patients' questions about a procedure.

Data flows one way: microphone -> voice activity -> recognizer -> matcher -> conversation
-> voice -> speaker. Each step lives in its own module; see README.md for the map.
"""

__version__ = "0.1.0"
