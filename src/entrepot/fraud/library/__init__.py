"""Where models live: reference libraries (folder, memory, the model registry), trained
models in the registry, and building the reference library."""
