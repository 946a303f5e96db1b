# Source: digidotcom/xbee-python, commit 43c8599 "remove connections: fix deadlock when removing a connection"
#   (https://github.com/digidotcom/xbee-python/commit/43c8599514e4634d4f5d04147734c348ccf804cf)
# Race: removing a node's connections holds the network's non-reentrant connection lock and calls the
#   helper that removes one connection, which takes the same lock again: the thread waits for itself.
# threads: the network object is shared by the discovery thread and the application's threads.
import threading


class Network:
    def __init__(self):
        self.__conn_lock = threading.Lock()
        self.__connections = []

    def __del_connection(self, connection):
        """Removes a connection from the network.

        Raise:
            ValueError: If ``connection`` is ``None``.
        """
        if not connection:
            raise ValueError("Connection cannot be None")
        with self.__conn_lock:
            if connection in self.__connections:
                self.__connections.remove(connection)

    def remove_node_connections(self, node, force=False):
        node_conn = [c for c in self.__connections if c.node_a is node or c.node_b is node]
        with self.__conn_lock:
            for c in node_conn:
                if force:
                    if c in self.__connections:  # fixed
                        self.__connections.remove(c)  # fixed
                else:
                    c.quality = None
        return node_conn
