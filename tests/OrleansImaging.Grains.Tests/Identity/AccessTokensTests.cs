using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Identity;

namespace OrleansImaging.Grains.Tests.Identity;

public sealed class AccessTokensTests
{
    [Fact]
    public void TryParse_FormattedNewToken_GivesIdAndSecretBack_S8_1()
    {
        var id = AccessTokens.NewTokenId();
        var secret = AccessTokens.NewSecret();

        Assert.True(AccessTokens.TryParse(AccessTokens.Format(id, secret), out var parsedId, out var parsedSecret));

        Assert.Equal(id, parsedId);
        Assert.Equal(secret, parsedSecret);
        Assert.Equal(43, secret.Length); // 256 bits, base64url without padding
        Assert.NotEqual(secret, AccessTokens.NewSecret());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("oit_")]
    [InlineData("Bearer oit_0123456789abcdef0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("oit_0123456789ABCDEF0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("oit_0123456789abcdef0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("oit_0123456789abcdef0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("oit_0123456789abcdef0123456789abcdef-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TryParse_NotOurShape_False_S6_4(string? value) =>
        Assert.False(AccessTokens.TryParse(value, out _, out _));

    [Fact]
    public void HashSecret_SameAndOtherSecret_StableAndDifferent()
    {
        Assert.Equal(AccessTokens.HashSecret("a"), AccessTokens.HashSecret("a"));
        Assert.NotEqual(AccessTokens.HashSecret("a"), AccessTokens.HashSecret("b"));
        Assert.Equal(32, AccessTokens.HashSecret("a").Length);
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("dr.wang-2", true)]
    [InlineData("Alice", false)]
    [InlineData(".alice", false)]
    [InlineData("al/ice", false)]
    [InlineData("", false)]
    [InlineData("ålice", false)]
    public void IsValidUsername_Value_Expected(string username, bool expected) =>
        Assert.Equal(expected, GrainKeys.IsValidUsername(username));
}
