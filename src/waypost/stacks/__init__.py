"""Stacks: component flavors (configuration models, needs, verification), secrets and connectors.

``flavors`` is the registry (built-in flavors in ``builtin/``, third-party ones through the
``waypost.flavors`` entry point group); ``references`` resolves and masks ``{{secret.NAME.KEY}}``.
Nothing here touches the metadata store: the store, the server and the runtime call in.
"""
