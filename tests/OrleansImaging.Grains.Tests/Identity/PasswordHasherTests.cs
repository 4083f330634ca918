using System.Text;
using OrleansImaging.Grains.Identity;

namespace OrleansImaging.Grains.Tests.Identity;

public sealed class PasswordHasherTests
{
    [Theory]
    // RFC 7914 §11 (PBKDF2-HMAC-SHA256), first 32 bytes of the 64-byte outputs.
    [InlineData("passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")]
    [InlineData("Password", "NaCl", 80000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56")]
    public void Hash_KnownVector_MatchesRfc7914(string password, string salt, int iterations, string expectedHex)
    {
        var hash = PasswordHasher.Hash(password, Encoding.UTF8.GetBytes(salt), iterations);

        Assert.Equal(expectedHex, Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void Hash_SamePasswordDifferentSalts_Differ()
    {
        var first = PasswordHasher.Hash("same password", PasswordHasher.NewSalt(), 1000);
        var second = PasswordHasher.Hash("same password", PasswordHasher.NewSalt(), 1000);

        Assert.NotEqual(first, second);
        Assert.Equal(PasswordHasher.HashLength, first.Length);
    }

    [Fact]
    public void Verify_RightAndWrongPassword_TrueThenFalse()
    {
        var salt = PasswordHasher.NewSalt();
        var hash = PasswordHasher.Hash("correct horse", salt, 1000);

        Assert.True(PasswordHasher.Verify("correct horse", salt, 1000, hash));
        Assert.False(PasswordHasher.Verify("correct horsf", salt, 1000, hash));
        Assert.False(PasswordHasher.Verify("correct horse", salt, 1001, hash));
    }

    [Fact]
    public void Generate_Twice_TwoDifferentLongAlphanumericPasswords_S6_2_S6_10()
    {
        var first = PasswordHasher.Generate();
        var second = PasswordHasher.Generate();

        Assert.NotEqual(first, second);
        Assert.Equal(24, first.Length);
        Assert.All(first, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
    }

    [Fact]
    public void Iterations_AreAtLeastOwaspMinimum_S6_10()
    {
        Assert.True(PasswordHasher.Iterations >= 600_000);
        Assert.Equal(16, PasswordHasher.NewSalt().Length);
    }
}
