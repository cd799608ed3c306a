import pytest

from .cluster import Cluster, RedisServer


@pytest.fixture
def redis_broker(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cluster(redis_broker, tmp_path):
    running = Cluster(redis_broker, tmp_path)
    yield running
    running.stop_all()
