from tests.integration.assistant.conftest import assistant_env, avery, ms365_processes

__all__ = ["assistant_env", "avery", "ms365_processes"]
