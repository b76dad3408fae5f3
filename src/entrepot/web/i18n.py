"""French and English: the language of a request and the interface's messages.

The language is the one chosen with the switch (kept in the session), else the best of
``Accept-Language``, else English. Messages are looked up by key; a missing French text
falls back to the English one, a missing key shows the key (and a test lists none).
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("en", "fr")
DEFAULT = "en"

#: key -> (English, French)
MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("Entrepôt fraud detection", "Entrepôt détection de fraude"),
    "app.tagline": (
        "Upload transactions, train a fraud model, score new files. Your data stays yours.",
        "Déposez des transactions, entraînez un modèle de fraude, scorez de nouveaux fichiers. "
        "Vos données restent les vôtres.",
    ),
    "nav.home": ("Home", "Accueil"),
    "nav.datasets": ("Datasets", "Jeux de données"),
    "nav.models": ("Models", "Modèles"),
    "nav.history": ("History", "Historique"),
    "nav.licence": ("Licence", "Licence"),
    "nav.profile": ("Profile", "Profil"),
    "nav.admin": ("Admin", "Admin"),
    "nav.login": ("Sign in", "Connexion"),
    "nav.register": ("Create an account", "Créer un compte"),
    "nav.logout": ("Sign out", "Déconnexion"),
    "nav.language": ("Language", "Langue"),
    "nav.skip": ("Skip to the content", "Aller au contenu"),
    "nav.dashboard": ("City flows", "Flux urbains"),
    "banner.references": (
        "Building the reference library: {done} of {total} models. Applying a model to "
        "unlabelled data works once it is done.",
        "Construction de la bibliothèque de référence : {done} modèles sur {total}. "
        "L'application d'un modèle à des données sans étiquette sera possible ensuite.",
    ),
    "banner.references_one": (
        "Building the reference library: {done} of {total} models. Applying a model to "
        "unlabelled data works once it is done.",
        "Construction de la bibliothèque de référence : {done} modèle sur {total}. "
        "L'application d'un modèle à des données sans étiquette sera possible ensuite.",
    ),
    "auth.email": ("Email", "E-mail"),
    "auth.password": ("Password", "Mot de passe"),
    "auth.name": ("Name", "Nom"),
    "auth.login_title": ("Sign in", "Connexion"),
    "auth.register_title": ("Create an account", "Créer un compte"),
    "auth.login_button": ("Sign in", "Se connecter"),
    "auth.register_button": ("Create my account", "Créer mon compte"),
    "auth.no_account": ("No account yet?", "Pas encore de compte ?"),
    "auth.have_account": ("Already registered?", "Déjà inscrit ?"),
    "auth.password_rule": ("At least 10 characters.", "Au moins 10 caractères."),
    "auth.trial": (
        "A 14-day trial starts with your account: 3 models, datasets up to 100 MiB.",
        "Un essai de 14 jours démarre avec votre compte : 3 modèles, jeux de données "
        "jusqu'à 100 Mio.",
    ),
    "auth.welcome": ("Welcome, {name}.", "Bienvenue, {name}."),
    "auth.signed_out": ("You are signed out.", "Vous êtes déconnecté."),
    "auth.oidc": ("Sign in with {name}", "Se connecter avec {name}"),
    "profile.title": ("Your profile", "Votre profil"),
    "profile.change_password": ("Change the password", "Changer le mot de passe"),
    "profile.current_password": ("Current password", "Mot de passe actuel"),
    "profile.new_password": ("New password", "Nouveau mot de passe"),
    "profile.password_changed": (
        "Password changed; your other sessions are signed out and your API tokens revoked "
        "(but those you kept).",
        "Mot de passe changé ; vos autres sessions sont déconnectées et vos jetons d'API "
        "révoqués (sauf ceux que vous avez gardés).",
    ),
    "profile.keep_token": ("Keep the token {name}", "Garder le jeton {name}"),
    "profile.expires_days": (
        "Expires after (days, empty: never)",
        "Expire après (jours, vide : jamais)",
    ),
    "profile.expires": ("Expires", "Expire"),
    "profile.tokens": ("API tokens", "Jetons d'API"),
    "profile.tokens_help": (
        "For scripts and the command line: send 'Authorization: Bearer TOKEN'.",
        "Pour les scripts et la ligne de commande : envoyez 'Authorization: Bearer JETON'.",
    ),
    "profile.token_name": ("Token name", "Nom du jeton"),
    "profile.create_token": ("Create a token", "Créer un jeton"),
    "profile.new_token": (
        "Your new token (shown once, copy it now):",
        "Votre nouveau jeton (affiché une seule fois, copiez-le maintenant) :",
    ),
    "profile.revoke": ("Revoke", "Révoquer"),
    "profile.revoked": ("revoked", "révoqué"),
    "profile.last_used": ("Last used", "Dernière utilisation"),
    "profile.never": ("never", "jamais"),
    "licence.title": ("Your licence", "Votre licence"),
    "licence.plan": ("Plan", "Offre"),
    "licence.key": ("Key", "Clé"),
    "licence.days_left": ("Days left", "Jours restants"),
    "licence.expires": ("Ends on", "Prend fin le"),
    "licence.models": ("Models", "Modèles"),
    "licence.max_dataset": ("Largest dataset", "Plus gros jeu de données"),
    "licence.unlimited": ("unlimited", "illimité"),
    "licence.active": ("in force", "en vigueur"),
    "licence.inactive": ("not in force", "pas en vigueur"),
    "licence.none": ("You have no licence.", "Vous n'avez pas de licence."),
    "licence.expired": (
        "Your licence has ended: activate a key to keep working.",
        "Votre licence a pris fin : activez une clé pour continuer.",
    ),
    "licence.activate": ("Activate a key", "Activer une clé"),
    "licence.activate_button": ("Activate", "Activer"),
    "licence.activated": ("Licence activated.", "Licence activée."),
    "licence.history": ("Your licences", "Vos licences"),
    "datasets.title": ("Your datasets", "Vos jeux de données"),
    "datasets.upload": ("Upload a dataset", "Déposer un jeu de données"),
    "datasets.upload_help": (
        "CSV, Parquet or Excel (.xlsx), up to {size} with your plan.",
        "CSV, Parquet ou Excel (.xlsx), jusqu'à {size} avec votre offre.",
    ),
    "datasets.file": ("File", "Fichier"),
    "datasets.target_optional": (
        "Label column (optional: detected otherwise)",
        "Colonne d'étiquette (facultatif : détectée sinon)",
    ),
    "datasets.upload_button": ("Upload and analyse", "Déposer et analyser"),
    "datasets.uploading": ("Uploading…", "Envoi en cours…"),
    "datasets.analysing": ("Analysing…", "Analyse en cours…"),
    "datasets.empty": ("No dataset yet.", "Aucun jeu de données pour l'instant."),
    "datasets.name": ("Name", "Nom"),
    "datasets.rows": ("Rows", "Lignes"),
    "datasets.columns": ("Columns", "Colonnes"),
    "datasets.size": ("Size", "Taille"),
    "datasets.labelled": ("Labelled", "Étiqueté"),
    "datasets.uploaded": ("Uploaded", "Déposé"),
    "datasets.delete": ("Delete", "Supprimer"),
    "datasets.deleted": ("Dataset deleted.", "Jeu de données supprimé."),
    "datasets.confirm_delete": ("Delete this dataset?", "Supprimer ce jeu de données ?"),
    "dataset.analysis": ("Analysis", "Analyse"),
    "dataset.target": ("Detected label", "Étiquette détectée"),
    "dataset.no_target": (
        "No label column: this file is unlabelled. Score it with the reference models.",
        "Pas de colonne d'étiquette : ce fichier n'est pas étiqueté. Scorez-le avec les "
        "modèles de référence.",
    ),
    "dataset.fraud_rate": ("Fraud rate", "Taux de fraude"),
    "dataset.frauds": ("Frauds", "Fraudes"),
    "dataset.sampled": (
        "Columns analysed on the first {rows} rows; frauds counted over the whole file.",
        "Colonnes analysées sur les {rows} premières lignes ; fraudes comptées sur tout le "
        "fichier.",
    ),
    "dataset.estimated": (
        "estimated from the first rows",
        "estimation sur les premières lignes",
    ),
    "dataset.candidates": ("Label candidates", "Candidates pour l'étiquette"),
    "dataset.score": ("Score", "Score"),
    "dataset.column": ("Column", "Colonne"),
    "dataset.role": ("Role", "Rôle"),
    "dataset.type": ("Type", "Type"),
    "dataset.missing": ("Missing", "Manquants"),
    "dataset.distinct": ("Distinct", "Distincts"),
    "dataset.why": ("Why", "Pourquoi"),
    "dataset.warnings": ("Warnings", "Avertissements"),
    "dataset.train": ("Train a model", "Entraîner un modèle"),
    "dataset.model_name": ("Model name", "Nom du modèle"),
    "dataset.target_column": ("Label column", "Colonne d'étiquette"),
    "dataset.train_button": ("Train", "Entraîner"),
    "dataset.predict": ("Score with one of your models", "Scorer avec un de vos modèles"),
    "dataset.predict_button": ("Score", "Scorer"),
    "dataset.no_models": ("You have no model yet.", "Vous n'avez pas encore de modèle."),
    "dataset.apply": (
        "Score with the reference models (unlabelled files)",
        "Scorer avec les modèles de référence (fichiers non étiquetés)",
    ),
    "dataset.apply_button": ("Apply the reference ensemble", "Appliquer l'ensemble de référence"),
    "jobs.title": ("Job", "Tâche"),
    "jobs.kind.train": ("Training", "Entraînement"),
    "jobs.kind.predict": ("Scoring with a model", "Scoring avec un modèle"),
    "jobs.kind.apply_unlabeled": ("Scoring with the references", "Scoring par les références"),
    "jobs.kind.build_references": ("Building the references", "Construction des références"),
    "jobs.state.queued": ("queued", "en attente"),
    "jobs.state.running": ("running", "en cours"),
    "jobs.state.succeeded": ("succeeded", "réussie"),
    "jobs.state.failed": ("failed", "échouée"),
    "jobs.state": ("State", "État"),
    "jobs.progress": ("Progress", "Avancement"),
    "jobs.error": ("Error", "Erreur"),
    "jobs.see_model": ("See the model", "Voir le modèle"),
    "jobs.see_prediction": ("See the predictions", "Voir les prédictions"),
    "jobs.started": ("Job started.", "Tâche lancée."),
    "jobs.attempts": ("Attempts", "Tentatives"),
    "history.title": ("History", "Historique"),
    "history.jobs": ("Trainings and scorings", "Entraînements et scorings"),
    "history.predictions": ("Predictions", "Prédictions"),
    "history.empty": ("Nothing yet.", "Rien pour l'instant."),
    "history.when": ("When", "Quand"),
    "history.what": ("What", "Quoi"),
    "history.dataset": ("Dataset", "Jeu de données"),
    "history.outcome": ("Outcome", "Résultat"),
    "models.title": ("Your models", "Vos modèles"),
    "models.empty": (
        "No model yet: train one from a labelled dataset.",
        "Pas encore de modèle : entraînez-en un sur un jeu de données étiqueté.",
    ),
    "models.name": ("Model", "Modèle"),
    "models.version": ("Version", "Version"),
    "models.trained": ("Trained", "Entraîné"),
    "models.download": ("Download (ZIP)", "Télécharger (ZIP)"),
    "models.delete": ("Delete", "Supprimer"),
    "models.deleted": ("Model deleted.", "Modèle supprimé."),
    "models.confirm_delete": ("Delete this model?", "Supprimer ce modèle ?"),
    "model.metrics": ("Test metrics", "Métriques de test"),
    "model.pr_curve": ("Precision-recall curve (test)", "Courbe précision-rappel (test)"),
    "model.calibration": ("Calibration (test)", "Calibration (test)"),
    "model.importance": ("Feature importance", "Importance des variables"),
    "model.precision": ("Precision", "Précision"),
    "model.recall": ("Recall", "Rappel"),
    "model.predicted": ("Predicted probability", "Probabilité prédite"),
    "model.observed": ("Observed fraud rate", "Taux de fraude observé"),
    "model.files": ("Files", "Fichiers"),
    "model.warnings": ("Warnings", "Avertissements"),
    "model.dataset": ("Trained on", "Entraîné sur"),
    "prediction.title": ("Predictions", "Prédictions"),
    "prediction.summary": ("Summary", "Résumé"),
    "prediction.risk.low": ("low risk", "risque faible"),
    "prediction.risk.medium": ("medium risk", "risque moyen"),
    "prediction.risk.high": ("high risk", "risque élevé"),
    "prediction.risk.critical": ("critical risk", "risque critique"),
    "prediction.flagged": ("Flagged as fraud", "Signalées comme fraude"),
    "prediction.anomalies": ("Anomalies", "Anomalies"),
    "prediction.agreement": ("Members' agreement (stability)", "Accord des membres (stabilité)"),
    "prediction.members": ("Models used", "Modèles utilisés"),
    "prediction.weight": ("Weight", "Poids"),
    "prediction.similarity": ("Similarity", "Similarité"),
    "prediction.preview": ("First rows", "Premières lignes"),
    "prediction.download": ("Download the CSV", "Télécharger le CSV"),
    "prediction.source.model": ("your model", "votre modèle"),
    "prediction.source.references": ("the reference ensemble", "l'ensemble de référence"),
    "analyst.threshold": ("Decision threshold", "Seuil de décision"),
    "analyst.threshold_help": (
        "Move the threshold to see what it trades on the test rows; save it to flag rows from it.",
        "Déplacez le seuil pour voir ce qu'il change sur les lignes de test ; enregistrez-le pour "
        "signaler les opérations à partir de lui.",
    ),
    "analyst.flagged_share": ("Flagged share", "Part signalée"),
    "analyst.expected_cost": ("Expected cost per row", "Coût attendu par ligne"),
    "analyst.cost_ratio": (
        "a missed fraud costs {ratio} false alarms",
        "une fraude manquée coûte {ratio} fausses alertes",
    ),
    "analyst.save_threshold": ("Save this threshold", "Enregistrer ce seuil"),
    "analyst.saved": ("Threshold saved.", "Seuil enregistré."),
    "analyst.saved_by": ("saved by {who}", "enregistré par {who}"),
    "analyst.confusion": ("Confusion matrix (test)", "Matrice de confusion (test)"),
    "analyst.actual_fraud": ("Fraud", "Fraude"),
    "analyst.actual_legit": ("Legitimate", "Légitime"),
    "analyst.flagged": ("Flagged", "Signalée"),
    "analyst.not_flagged": ("Not flagged", "Non signalée"),
    "analyst.test_rows": (
        "{rows} test rows, fraud rate {rate}",
        "{rows} lignes de test, taux de fraude {rate}",
    ),
    "analyst.lift": ("Reviewing the top rows", "Revoir les lignes les plus risquées"),
    "analyst.top_share": ("Top", "Premières"),
    "analyst.lift_x": ("Lift", "Gain (lift)"),
    "analyst.trials": ("Models tried", "Modèles essayés"),
    "analyst.kind": ("Kind", "Type"),
    "analyst.stage": ("Stage", "Étape"),
    "analyst.chosen": ("chosen", "retenu"),
    "analyst.meaning": ("Meaning", "Signification"),
    "analyst.baseline": ("fraud rate (chance)", "taux de fraude (hasard)"),
    "analyst.chosen_point": ("chosen threshold", "seuil retenu"),
    "analyst.comparison": (
        "This version beside the one it was retrained from (same test rows)",
        "Cette version à côté de celle dont elle est issue (mêmes lignes de test)",
    ),
    "analyst.previous": ("Previous", "Précédente"),
    "analyst.current": ("This version", "Cette version"),
    "analyst.feedback_rows": ("Analyst decisions learnt", "Décisions d'analyste apprises"),
    "analyst.retrain": ("Retrain with the analysts' decisions", "Réentraîner avec les décisions"),
    "analyst.compare": ("Compare with", "Comparer avec"),
    "analyst.compare_title": ("Two versions side by side", "Deux versions côte à côte"),
    "analyst.top": ("Highest-risk rows", "Opérations les plus risquées"),
    "analyst.row": ("Row", "Ligne"),
    "analyst.probability": ("Fraud probability", "Probabilité de fraude"),
    "analyst.level": ("Level", "Niveau"),
    "analyst.explanation": ("Why", "Pourquoi"),
    "analyst.review": ("Review the flagged rows", "Revoir les opérations signalées"),
    "analyst.evaluation": ("Against the file's labels", "Face aux étiquettes du fichier"),
    "analyst.drift": ("Drift from the training data", "Dérive par rapport à l'apprentissage"),
    "analyst.drift_help": (
        "Population stability index per input: above {limit} the model sees a population it "
        "did not learn from.",
        "Indice de stabilité par entrée : au-delà de {limit}, le modèle voit une population "
        "qu'il n'a pas apprise.",
    ),
    "analyst.drift_warning": ("moved", "a changé"),
    "analyst.scores": ("scores", "scores"),
    "analyst.mapping": ("Columns read by each model", "Colonnes lues par chaque modèle"),
    "analyst.rerun": ("Score again with this mapping", "Scorer à nouveau avec ces colonnes"),
    "analyst.review_title": ("Review", "Revue"),
    "analyst.review_keys": (
        "Keys: F fraud · L legitimate · S skip",
        "Touches : F fraude · L légitime · S passer",
    ),
    "analyst.fraud": ("Fraud (F)", "Fraude (F)"),
    "analyst.legit": ("Legitimate (L)", "Légitime (L)"),
    "analyst.skip": ("Skip (S)", "Passer (S)"),
    "analyst.review_done": ("Every flagged row is reviewed.", "Toutes les opérations sont revues."),
    "analyst.decided": ("Decided", "Décidées"),
    "analyst.training": ("training", "apprentissage"),
    "analyst.this_file": ("this file", "ce fichier"),
    "analyst.share": ("Share of rows", "Part des lignes"),
    "home.recent": ("Recent activity", "Activité récente"),
    "home.title": ("Your workspace", "Votre espace"),
    "home.start": ("Start by uploading a dataset.", "Commencez par déposer un jeu de données."),
    "admin.title": ("Administration", "Administration"),
    "admin.stats": ("Statistics", "Statistiques"),
    "admin.users": ("Users", "Utilisateurs"),
    "admin.licences": ("Licences", "Licences"),
    "admin.audit": ("Audit log", "Journal d'audit"),
    "admin.audit_empty": (
        "Nothing recorded yet: sign-ups, sign-ins and administrators' actions appear here.",
        "Rien n'est encore consigné : les inscriptions, les connexions et les actions des "
        "administrateurs apparaîtront ici.",
    ),
    "admin.deleted_user": ("deleted account", "compte supprimé"),
    "admin.search": ("Search", "Rechercher"),
    "admin.all": ("all", "tous"),
    "admin.admins": ("admins", "admins"),
    "admin.active": ("active", "actifs"),
    "admin.inactive": ("inactive", "inactifs"),
    "admin.activate": ("Activate", "Activer"),
    "admin.deactivate": ("Deactivate", "Désactiver"),
    "admin.grant": ("Make admin", "Rendre admin"),
    "admin.revoke": ("Remove admin", "Retirer admin"),
    "admin.delete": ("Delete with all data", "Supprimer avec ses données"),
    "admin.confirm_delete": (
        "Delete this user and all their data?",
        "Supprimer cet utilisateur et toutes ses données ?",
    ),
    "admin.done": ("Done.", "C'est fait."),
    "admin.create": ("Create keys", "Créer des clés"),
    "admin.count": ("How many", "Combien"),
    "admin.days": ("Days", "Jours"),
    "admin.extend": ("Extend", "Prolonger"),
    "admin.filter_role": ("Role", "Rôle"),
    "admin.filter_state": ("State", "État"),
    "admin.filter_used": ("Use", "Utilisation"),
    "admin.extend_days": ("Days to add", "Jours à ajouter"),
    "admin.enable": ("Enable", "Activer"),
    "admin.disable": ("Disable", "Désactiver"),
    "admin.user": ("User", "Utilisateur"),
    "admin.unused": ("unused", "inutilisée"),
    "admin.signups": ("Sign-ups per day", "Inscriptions par jour"),
    "admin.jobs": ("Jobs by state", "Tâches par état"),
    "admin.licences_by_plan": ("Licences in force by plan", "Licences en vigueur par offre"),
    "admin.storage": ("Dataset storage by user", "Stockage des jeux de données par utilisateur"),
    "admin.totals": ("{users} users, {admins} admins", "{users} utilisateurs, {admins} admins"),
    "admin.actor": ("Who", "Qui"),
    "admin.action": ("Action", "Action"),
    "admin.target": ("On", "Sur"),
    "common.page": ("Page {page} of {pages}", "Page {page} sur {pages}"),
    "common.previous": ("Previous", "Précédent"),
    "common.next": ("Next", "Suivant"),
    "common.yes": ("yes", "oui"),
    "common.no": ("no", "non"),
    "common.error": ("Something went wrong", "Un problème est survenu"),
    "common.back_home": ("Back to the home page", "Retour à l'accueil"),
    "common.request_id": ("Request id", "Identifiant de requête"),
    "common.filter": ("Filter", "Filtrer"),
}


def choose(session_lang: object, accept_language: str | None) -> str:
    """The language of a request: the session's choice, else ``Accept-Language``'s best."""
    if isinstance(session_lang, str) and session_lang in LANGUAGES:
        return session_lang
    best, best_q = DEFAULT, -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q <= 0:  # q=0 means "not this one"
            continue
        q -= position * 1e-6  # equal weights: the first listed wins
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)`` in ``lang``."""
    index = LANGUAGES.index(lang) if lang in LANGUAGES else 0

    def t(key: str, **values: object) -> str:
        texts = MESSAGES.get(key)
        if texts is None:
            return key
        text = texts[index] or texts[0]
        return text.format(**values) if values else text

    return t
