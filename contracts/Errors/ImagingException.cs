namespace OrleansImaging.Contracts.Errors;

/// <summary>Stable error codes: the api maps each to one HTTP status and ProblemDetails type.</summary>
public static class ErrorCodes
{
    /// <summary>The thing does not exist or the caller may not know it exists (404).</summary>
    public const string NotFound = "not-found";

    /// <summary>The caller may see the thing but not do this to it (403).</summary>
    public const string Forbidden = "forbidden";

    /// <summary>A grain call arrived without a caller (401 at the api; a bug if it ever happens inside).</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>An id, key or argument is malformed (400).</summary>
    public const string Invalid = "invalid";

    /// <summary>The request does not fit the thing's current state (an upload offset that is not the committed one; 409).</summary>
    public const string Conflict = "conflict";
}

/// <summary>The one exception base of our code; <see cref="Code"/> (from <see cref="ErrorCodes"/>) decides the response.</summary>
[GenerateSerializer, Alias("OrleansImaging.ImagingException")]
public class ImagingException : Exception
{
    /// <summary>Creates an exception with an error code and a message safe to show the caller.</summary>
    public ImagingException(string code, string message) : base(message) => Code = code;

    /// <summary>One of <see cref="ErrorCodes"/>.</summary>
    [Id(0)]
    public string Code { get; }
}

/// <summary>
/// The thing does not exist, or the caller may not see it: the two are deliberately indistinguishable so a
/// caller of another tenant learns nothing from guessing ids (S3.2, S7.4).
/// </summary>
[GenerateSerializer, Alias("OrleansImaging.NotFoundException")]
public sealed class NotFoundException(string message) : ImagingException(ErrorCodes.NotFound, message);

/// <summary>The caller may see the thing but not do this (a read-only token storing; S3.1).</summary>
[GenerateSerializer, Alias("OrleansImaging.ForbiddenException")]
public sealed class ForbiddenException(string message) : ImagingException(ErrorCodes.Forbidden, message);

/// <summary>A call reached one of our grains without a <see cref="Callers.Caller"/> in the request context (S7.2).</summary>
[GenerateSerializer, Alias("OrleansImaging.UnauthenticatedCallException")]
public sealed class UnauthenticatedCallException(string message) : ImagingException(ErrorCodes.Unauthenticated, message);

/// <summary>A grain key or argument is malformed.</summary>
[GenerateSerializer, Alias("OrleansImaging.InvalidRequestException")]
public sealed class InvalidRequestException(string message) : ImagingException(ErrorCodes.Invalid, message);

/// <summary>The request does not fit the current state of what it addresses (409).</summary>
[GenerateSerializer, Alias("OrleansImaging.ConflictException")]
public sealed class ConflictException(string message) : ImagingException(ErrorCodes.Conflict, message);
