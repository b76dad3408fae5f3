"""The period and map pages' words: ``KEY: (English, French)``, shown in French for now.

One table so that the texts can move into the interface's gettext catalog in one step;
:func:`text` is the accessor the pages and the templates use.
"""

from __future__ import annotations

from typing import Any

#: key -> (English, French)
TEXTS: dict[str, tuple[str, str]] = {
    "nav.period": ("Period", "Période"),
    "nav.map": ("Map", "Carte"),
    "nav.app": ("Fraud detection", "Détection de fraude"),
    "range.legend": ("Period shown", "Période affichée"),
    "range.from": ("From", "Du"),
    "range.to": ("To", "Au"),
    "range.show": ("Show", "Afficher"),
    "range.hint": (
        "At most 366 days; compared with the period of the same length just before.",
        "366 jours au plus ; comparée à la période de même durée qui la précède.",
    ),
    "range.bad_date": (
        "« {value} » is not a date: use the format YYYY-MM-DD.",
        "« {value} » n'est pas une date : utilisez le format AAAA-MM-JJ.",
    ),
    "range.reversed": (
        "The end ({end}) is before the start ({start}): choose an end on or after the start.",
        "La fin ({end}) précède le début ({start}) : choisissez une fin au début ou après.",
    ),
    "range.too_long": (
        "A period has at most {limit} days; this one has {days}.",
        "Une période compte au plus {limit} jours ; celle-ci en compte {days}.",
    ),
    "range.no_data": (
        "No data from {start} to {end}. Data exists from {first} to {last}.",
        "Aucune donnée du {start} au {end}. Les données vont du {first} au {last}.",
    ),
    "range.show_available": (
        "Show the last days with data",
        "Afficher les derniers jours calculés",
    ),
    "range.no_data_at_all": (
        "No data computed yet: run `entrepot city run --date YYYY-MM-DD`.",
        "Aucune donnée calculée pour l'instant : lancez `entrepot city run --date AAAA-MM-JJ`.",
    ),
    "period.title": ("Period", "Période"),
    "period.heading": ("Period from {start} to {end}", "Période du {start} au {end}"),
    "period.coverage": (
        "{days} of {length} days have data.",
        "{days} jours sur {length} ont des données.",
    ),
    "period.coverage_one": ("1 of {length} days has data.", "1 jour sur {length} a des données."),
    "period.previous": (
        "Compared with the period from {start} to {end} ({days} days with data).",
        "Comparée à la période du {start} au {end} ({days} jours avec données).",
    ),
    "period.previous_one": (
        "Compared with the period from {start} to {end} (1 day with data).",
        "Comparée à la période du {start} au {end} (1 jour avec données).",
    ),
    "period.previous_none": (
        "No data for the previous period, from {start} to {end}: no change shown.",
        "Aucune donnée pour la période précédente, du {start} au {end} : pas d'évolution.",
    ),
    "period.cards": ("Key figures over the period", "Chiffres clés de la période"),
    "period.trends": ("Day by day", "Jour par jour"),
    "period.table": ("The figures behind the charts", "Les chiffres des graphiques"),
    "period.day": ("Day", "Jour"),
    "delta.up": ("up", "en hausse"),
    "delta.down": ("down", "en baisse"),
    "delta.flat": ("stable", "stable"),
    "delta.none": ("no previous value", "pas de valeur précédente"),
    "delta.versus": ("vs {value}", "contre {value}"),
    "delta.per_day": ("({value} per day)", "({value} par jour)"),
    "period.per_day_note": (
        "The two periods do not have the same number of days with data: totals are "
        "compared per day.",
        "Les deux périodes n'ont pas le même nombre de jours avec données : les totaux sont "
        "comparés par jour.",
    ),
    "kpi.traffic_vehicles": ("Vehicles counted", "Véhicules comptés"),
    "kpi.lost_time_hours": ("Congestion hours (arc·h)", "Heures de congestion (tronçon·h)"),
    "kpi.congested_arcs": ("Congested arcs per day", "Tronçons congestionnés par jour"),
    "kpi.bike_counts": ("Bike passages counted", "Passages de vélos comptés"),
    "kpi.bikes_available_mean": ("Bikes available (mean)", "Vélos disponibles (moyenne)"),
    "kpi.empty_stations_max": ("Empty stations (max.)", "Stations vides (max.)"),
    "kpi.disruptions": ("Transport disruptions per day", "Perturbations transports par jour"),
    "kpi.active_roadworks": ("Active roadworks per day", "Chantiers actifs par jour"),
    "kpi.precipitation_mm": ("Precipitation", "Précipitations"),
    "kpi.temperature_mean": ("Mean temperature", "Température moyenne"),
    "trend.traffic": ("Road traffic per day", "Trafic routier par jour"),
    "trend.bikes": ("Bikes per day", "Vélos par jour"),
    "trend.works": ("Roadworks and disruptions per day", "Chantiers et perturbations par jour"),
    "trend.weather": ("Weather per day", "Météo par jour"),
    "trend.vehicles_axis": ("Vehicles", "Véhicules"),
    "trend.hours_axis": ("Hours", "Heures"),
    "trend.count_axis": ("Number", "Nombre"),
    "map.title": ("Map", "Carte"),
    "map.heading": ("Map of Paris from {start} to {end}", "Carte de Paris du {start} au {end}"),
    "map.legend": (
        "Arrondissements shaded by congestion hours; roadworks active on {day}; "
        "Vélib' stations and counted arcs as known to the data.",
        "Arrondissements colorés selon les heures de congestion ; chantiers actifs le {day} ; "
        "stations Vélib' et tronçons comptés tels que les données les décrivent.",
    ),
    "map.layer_arcs": ("Counted arcs", "Tronçons comptés"),
    "map.layer_stations": ("Vélib' stations", "Stations Vélib'"),
    "map.layer_works": ("Roadworks", "Chantiers"),
    "map.scale": ("Congestion (arc·h)", "Congestion (tronçon·h)"),
    "map.top": ("Most congested arrondissements", "Arrondissements les plus congestionnés"),
    "map.zone": ("Arrondissement", "Arrondissement"),
    "map.congestion": ("Congestion hours", "Heures de congestion"),
    "map.vehicles": ("Vehicles", "Véhicules"),
    "map.works": ("Active roadworks", "Chantiers actifs"),
    "map.missing_layers": (
        "Not on the map (their file is absent from the lake or unreadable): {layers}.",
        "Absents de la carte (leur fichier manque dans le lac ou est illisible) : {layers}.",
    ),
    "map.no_zone_data": (
        "No traffic per arrondissement over this period.",
        "Aucun trafic par arrondissement sur cette période.",
    ),
}
#: The language the dashboard shows until it joins the interface's catalog.
LANGUAGE = "fr"


def text(key: str, /, **values: Any) -> str:
    """The French text of ``key`` with ``values`` filled in."""
    english, french = TEXTS[key]
    chosen = french if LANGUAGE == "fr" else english
    return chosen.format(**values) if values else chosen
