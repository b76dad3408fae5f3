"""The fraud AutoML engine: generate, analyse, train, match, score and evaluate.

One sub-package per concept, stacked so that nothing points back up::

    score -> library -> train -> match, model -> schema -> tables      (synth: a leaf)

Import what you need from the modules: ``train.training.train``,
``schema.analysis.analyze``, ``synth.generator.generate``; ``library.build.build_references``
for the reference library, ``match.matching.ReferenceIndex`` for schema matching,
``score.assemble.from_library`` / ``score.assemble.from_folder`` and ``score.scoring.score``
for ensemble scoring. The engine reaches stored models only through the two protocols of
``library.libraries`` (``ReferenceSource``, ``ReferenceSink``). This package imports
nothing heavy by itself.
"""
