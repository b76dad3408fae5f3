"""The fraud AutoML engine: generate, analyse, build features, train, evaluate.

Import what you need from the modules (``entrepot.fraud.training.train``,
``entrepot.fraud.analysis.analyze``, ``entrepot.fraud.generator.generate``...): this
package imports nothing heavy by itself.
"""
