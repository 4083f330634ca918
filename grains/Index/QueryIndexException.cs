namespace OrleansImaging.Grains.Index;

/// <summary>
/// The query index could not do what was asked: an instance without the identifiers it is keyed
/// by, or a failure of the database underneath (the library's exception is the inner one).
/// </summary>
public class QueryIndexException : Exception
{
    public QueryIndexException(string message) : base(message) { }

    public QueryIndexException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A QIDO-RS query string the index will not run: an unknown or unsupported attribute, a bad
/// value, a reversed date range, a bad paging parameter. <see cref="Parameter"/> names it, so the
/// api can answer 400 with the name and nothing else of ours.
/// </summary>
public sealed class QidoQueryException : QueryIndexException
{
    public QidoQueryException(string parameter, string message) : base(message) => Parameter = parameter;

    /// <summary>The query parameter or attribute at fault, as the client wrote it or by keyword.</summary>
    public string Parameter { get; }
}
