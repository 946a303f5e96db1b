# Safe: the builder is created inside the call, never stored, returned or passed on: each call owns it.
import threading


class QueryBuilder:
    def __init__(self):
        self.parts = []
        self.params = {}
        self.count = 0

    def where(self, column, value):
        self.count += 1
        key = f"p{self.count}"
        self.parts.append(f"{column} = :{key}")
        self.params[key] = value
        return self


def build_query(filters):
    builder = QueryBuilder()
    for column, value in filters.items():
        builder.where(column, value)
    return " AND ".join(builder.parts), dict(builder.params)


threads = [threading.Thread(target=build_query, args=({"a": 1},)) for _ in range(4)]
