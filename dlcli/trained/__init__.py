"""Stage: using a finished run. Export, serving and the API read runs through here.

Owns loading a trained run and evaluating or inspecting it (`inference`), predicting with
it (`prediction`), describing its inputs and outputs for export and serving
(`model_info`) and the API's `Run` (`run_handle`). Keras is imported only inside the
functions that load a model.
"""
