"""The SDK: decorators, step context, metadata and compilation to a PipelineSpec."""
