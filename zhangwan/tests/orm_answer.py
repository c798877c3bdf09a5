"""A prepared queryset's instances (zhangwan/prepared.py) against the ORM's, as a reader of them sees them."""


def seen(obj, depth=2):
    """An instance as a reader sees it: its loaded fields, annotations, related objects and prefetched lists."""
    if obj is None:
        return None
    state = {key: value for key, value in obj.__dict__.items()
             if not key.startswith("_") and key != "_state"}
    if depth:
        state["related"] = {name: seen(value, depth - 1) for name, value in obj._state.fields_cache.items()}
        state["prefetched"] = {name: [seen(o, depth - 1) for o in objs]
                               for name, objs in getattr(obj, "_prefetched_objects_cache", {}).items()}
    return (type(obj), state)


def same_as_the_orm(prepared, **keys):
    kept, orm = prepared.list(**keys), list(prepared.build(**keys))
    assert [seen(o) for o in kept] == [seen(o) for o in orm]
    return kept
