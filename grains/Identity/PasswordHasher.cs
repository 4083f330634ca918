using System.Security.Cryptography;
using System.Text;

namespace OrleansImaging.Grains.Identity;

/// <summary>
/// Passwords: generated (never chosen by a default), stored as PBKDF2-HMAC-SHA256 with a per-account salt and an
/// iteration count slow enough to make guessing a stolen hash expensive (OWASP's 600,000 for PBKDF2-SHA256), and
/// compared in constant time. The iteration count is stored with each hash so it can be raised later.
/// </summary>
public static class PasswordHasher
{
    /// <summary>The iteration count of new hashes.</summary>
    public const int Iterations = 600_000;

    /// <summary>The salt length in bytes (128 bits).</summary>
    public const int SaltLength = 16;

    /// <summary>The hash length in bytes.</summary>
    public const int HashLength = 32;

    /// <summary>The length of generated passwords: 24 characters of 62 is about 143 bits.</summary>
    public const int GeneratedLength = 24;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new password from the operating system's CSPRNG.</summary>
    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, GeneratedLength);

    /// <summary>A new random salt.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltLength);

    /// <summary>PBKDF2-HMAC-SHA256 of <paramref name="password"/>'s UTF-8 bytes.</summary>
    public static byte[] Hash(string password, byte[] salt, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(salt);
        return Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashLength);
    }

    /// <summary>Whether <paramref name="password"/> hashes to <paramref name="expectedHash"/>; the comparison takes the same time wherever they differ.</summary>
    public static bool Verify(string password, byte[] salt, int iterations, byte[] expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(password, salt, iterations), expectedHash);
}
