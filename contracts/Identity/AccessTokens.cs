using System.Security.Cryptography;
using System.Text;

namespace OrleansImaging.Contracts.Identity;

/// <summary>
/// The format of API tokens, shared by the grain that issues them and the api that reads them:
/// <c>oit_{tokenId}_{secret}</c>, the id 32 lower-case hex digits (128 random bits; the grain key), the secret 43
/// base64url characters (256 random bits). The prefix makes a leaked token easy to recognise (secret scanners).
/// Only SHA-256 of the secret is stored: a fast hash is right for a 256-bit random secret, which no one can
/// guess, unlike a password.
/// </summary>
public static class AccessTokens
{
    /// <summary>How long a token works when its issuer says nothing: a year, so a forgotten token does not work for ever (S8.7).</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(365);

    /// <summary>The longest lifetime a token may be given.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3650);

    /// <summary>Every token starts with this.</summary>
    public const string Prefix = "oit_";

    /// <summary>The length of a token id.</summary>
    public const int TokenIdLength = 32;

    /// <summary>The scopes a token may carry.</summary>
    public static readonly IReadOnlyList<string> KnownScopes = [Callers.Scopes.DicomwebRead, Callers.Scopes.DicomwebWrite];

    /// <summary>A new random token id.</summary>
    public static string NewTokenId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(TokenIdLength / 2));

    /// <summary>A new random secret (base64url, 256 bits).</summary>
    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The bearer value of <paramref name="tokenId"/> with <paramref name="secret"/>.</summary>
    public static string Format(string tokenId, string secret) => Prefix + tokenId + "_" + secret;

    /// <summary>The SHA-256 of a secret's UTF-8 bytes: what is stored and compared.</summary>
    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether <paramref name="tokenId"/> is 32 lower-case hex digits.</summary>
    public static bool IsValidTokenId(string? tokenId) =>
        tokenId is { Length: TokenIdLength } && tokenId.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>Splits a bearer value into id and secret; false for anything not shaped like our tokens.</summary>
    public static bool TryParse(string? bearerValue, out string tokenId, out string secret)
    {
        tokenId = secret = "";
        if (bearerValue is null || !bearerValue.StartsWith(Prefix, StringComparison.Ordinal)
            || bearerValue.Length != Prefix.Length + TokenIdLength + 1 + 43 || bearerValue[Prefix.Length + TokenIdLength] != '_')
        {
            return false;
        }
        var id = bearerValue.Substring(Prefix.Length, TokenIdLength);
        var rest = bearerValue[(Prefix.Length + TokenIdLength + 1)..];
        if (!IsValidTokenId(id) || !rest.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }
        tokenId = id;
        secret = rest;
        return true;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
