"""An ensemble with the column mappings a person chose instead of the matched ones.

``mappings`` gives, per member name, the whole mapping to use (upload column -> model
input). Each upload column must be in the file and each model input one the member's
model reads; two upload columns may not feed one input. Members not named keep theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from entrepot.fraud.errors import MissingColumns
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.messages import N_, Message


def remap(
    ensemble: Ensemble, mappings: Mapping[str, Mapping[str, str]], columns: list[str]
) -> Ensemble:
    """``ensemble`` with the members named in ``mappings`` reading those columns of a
    file whose columns are ``columns``; raises :class:`MissingColumns` naming what is
    wrong."""
    names = {m.name for m in ensemble.members}
    unknown = sorted(set(mappings) - names)
    if unknown:
        raise MissingColumns(
            f"no model {', '.join(unknown)} scored this file; its models are: "
            + ", ".join(sorted(names)),
            said=Message(
                N_("error.fraud.unknown_members"),
                {"unknown": ", ".join(unknown), "members": ", ".join(sorted(names))},
            ),
        )
    members = []
    for member, model in zip(ensemble.members, ensemble.models, strict=True):
        chosen = mappings.get(member.name)
        if chosen is None:
            members.append(member)
            continue
        absent = sorted(c for c in chosen if c not in columns)
        inputs = set(model.input_columns)
        foreign = sorted(v for v in chosen.values() if v not in inputs)
        if absent or foreign:
            parts = []
            if absent:
                parts.append(f"the file has no column {', '.join(absent)}")
            if foreign:
                parts.append(
                    f"model {member.name} has no input {', '.join(foreign)} (its inputs: "
                    + ", ".join(sorted(inputs))
                    + ")"
                )
            raise MissingColumns(
                "; ".join(parts),
                said=Message(N_("error.fraud.mapping"), {"detail": "; ".join(parts)}),
            )
        if len(set(chosen.values())) != len(chosen):
            raise MissingColumns(
                f"two columns feed one input of model {member.name}",
                said=Message(N_("error.fraud.mapping_twice"), {"model": member.name}),
            )
        members.append(replace(member, mapping=dict(chosen)))
    return replace(ensemble, members=tuple(members))
