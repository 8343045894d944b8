namespace Study.Training.Data;

/// <summary>A data file is missing, truncated or not of the expected format. The message names the file.</summary>
public sealed class DatasetFormatException(string message) : Exception(message);
