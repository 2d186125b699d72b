"""The Microsoft Graph v1.0 emulator (everything under ``/v1.0``)."""
