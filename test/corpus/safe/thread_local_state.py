# Safe: per-thread scratch lives in a threading.local, so concurrent calls never share it
#   (the fixed shape of requests' HTTPDigestAuth, psf/requests PR #2523).
import threading


class RequestContext:
    def __init__(self):
        self._local = threading.local()

    def push(self, request):
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        stack.append(request)
        self._local.depth = len(stack)

    def pop(self):
        self._local.depth -= 1
        return self._local.stack.pop()


context = RequestContext()
