using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Errors;

namespace OrleansImaging.Grains.Tests.Authorization;

/// <summary>Grain keys are validated before they name anything (S9.2, S7.1: no traversal through a key).</summary>
public sealed class GrainKeysTests
{
    [Theory]
    [InlineData("1.2.840.10008.5.1.4.1.1.2", true)]
    [InlineData("0", true)]
    [InlineData("1.0.3", true)]
    [InlineData("1.02.3", false)]
    [InlineData("1..2", false)]
    [InlineData(".1", false)]
    [InlineData("1.", false)]
    [InlineData("1.2a", false)]
    [InlineData("1.2/../3", false)]
    [InlineData("", false)]
    [InlineData("1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26.27.28", false)] // 65 chars
    public void IsValidUid_Cases(string uid, bool expected) => Assert.Equal(expected, GrainKeys.IsValidUid(uid));

    [Theory]
    [InlineData("hospital-a", true)]
    [InlineData("h1", true)]
    [InlineData("Hospital-A", false)]
    [InlineData("-a", false)]
    [InlineData("a/b", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    public void IsValidTenantId_Cases(string tenant, bool expected) => Assert.Equal(expected, GrainKeys.IsValidTenantId(tenant));

    [Fact]
    public void Study_InvalidParts_Throw()
    {
        Assert.Equal("hospital-a/1.2.3", GrainKeys.Study("hospital-a", "1.2.3"));
        Assert.Throws<InvalidRequestException>(() => GrainKeys.Study("hospital-a/x", "1.2.3"));
        Assert.Throws<InvalidRequestException>(() => GrainKeys.Study("hospital-a", "1.2.x"));
        Assert.Throws<InvalidRequestException>(() => GrainKeys.Patient("hospital-a", "A\\B"));
    }

    [Fact]
    public void TrySplit_PatientIdWithSlash_SplitsAtFirst()
    {
        Assert.True(GrainKeys.TrySplit("hospital-a/PID/7", out var tenant, out var rest));
        Assert.Equal(("hospital-a", "PID/7"), (tenant, rest));
        Assert.False(GrainKeys.TrySplit("/x", out _, out _));
        Assert.False(GrainKeys.TrySplit("x/", out _, out _));
    }
}
