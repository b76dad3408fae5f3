"""City-flow analytics: synthetic Paris mobility data, a partitioned lake reader and processors.

The app reaches storage only through the capability protocols of
:mod:`entrepot.storage.protocols`; it never picks a concrete store.
"""
