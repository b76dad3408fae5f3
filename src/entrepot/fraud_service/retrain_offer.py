"""Whether "Retrain with N decisions" may be offered, asked before the button is shown (a
refusal after the click helps nobody): the model version to retrain, how many rows
analysts labelled on its predictions (every version's, as the retraining reads them), and
why not when it may not be (the prediction was scored with the reference models, the
version is gone, no decision yet, or the plan's refusal: no licence in force, a full
quota), as a message the page writes in its language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import EntrepotError, RecordNotFound
from entrepot.fraud_service.retraining import count_decisions
from entrepot.messages import N_, Message

#: The plan's check for a new version of a model (``TrainingService.check_room``): raises
#: the plan's refusal, holds nothing.
RoomCheck = Callable[[int, str], None]


@dataclass(frozen=True)
class RetrainOffer:
    """``model_id`` to retrain (``None``: none), the ``decisions`` it would learn from and
    ``refusal``: why it may not be retrained now (``None``: it may)."""

    model_id: int | None
    decisions: int
    refusal: Message | None

    @property
    def offered(self) -> bool:
        """Whether the page offers the retraining."""
        return self.model_id is not None and self.refusal is None


def retrain_offer(
    uow_factory: UnitOfWorkFactory,
    room: RoomCheck | None,
    user_id: int,
    namespace: str,
    model: tuple[str, str] | None,
) -> RetrainOffer:
    """The offer for version ``model`` (``(name, version)``; ``None``: a prediction of the
    reference models) of ``user_id`` in ``namespace`` (see the module docstring)."""
    if model is None:
        return RetrainOffer(None, 0, Message(N_("analyst.retrain_no_model")))
    name, version = model
    try:
        with uow_factory() as uow:
            model_id = uow.user_models.id_of(namespace, name, version)
    except RecordNotFound:
        said = Message(N_("analyst.retrain_model_gone"), {"model": name, "version": version})
        return RetrainOffer(None, 0, said)
    decisions = count_decisions(uow_factory, user_id, name)
    if decisions == 0:
        return RetrainOffer(model_id, 0, Message(N_("analyst.retrain_no_decisions")))
    if room is not None:
        try:
            room(user_id, name)
        except EntrepotError as refused:
            said = refused.said or Message(N_("analyst.retrain_refused"))
            return RetrainOffer(model_id, decisions, said)
    return RetrainOffer(model_id, decisions, None)
