using System.Globalization;
using System.Numerics;

namespace OrleansImaging.Dicom.Tests.Uids;

public sealed class DicomUidGeneratorTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 14, 15, 9, 26, TimeSpan.Zero);

    [Fact]
    public void Generate_UuidDerived_TenThousandAreValidDistinctAndUnder225()
    {
        var generator = new DicomUidGenerator();

        var uids = Enumerable.Range(0, 10_000).Select(_ => generator.Generate().Value).ToList();

        Assert.All(uids, uid =>
        {
            Assert.True(DicomUid.IsValid(uid), uid);
            Assert.StartsWith("2.25.", uid, StringComparison.Ordinal);
        });
        Assert.Equal(uids.Count, uids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Generate_UuidDerived_IsAVersion4UuidReadBigEndian()
    {
        var uid = new DicomUidGenerator().Generate().Value;

        var value = BigInteger.Parse(uid["2.25.".Length..], CultureInfo.InvariantCulture);

        // RFC 4122: the version nibble is bits 76-79 and the variant bits 62-63 of the integer.
        Assert.Equal(4, (int)((value >> 76) & 0xF));
        Assert.Equal(2, (int)((value >> 62) & 0x3));
    }

    [Fact]
    public void Generate_UuidDerived_IsUnregistered()
    {
        var uid = new DicomUidGenerator().Generate();

        Assert.Equal(DicomUidType.Unknown, uid.Type);
        Assert.Null(new DicomUidGenerator().OrganizationRoot);
    }

    [Fact]
    public void Generate_OrganizationRoot_TenThousandInOneMillisecondAreValidAndDistinct()
    {
        var generator = new DicomUidGenerator("1.2.826.0.1.3680043.10.999", new FixedTimeProvider(Now));
        var expectedPrefix = "1.2.826.0.1.3680043.10.999." + Now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + ".";

        var uids = Enumerable.Range(0, 10_000).Select(_ => generator.Generate().Value).ToList();

        Assert.All(uids, uid =>
        {
            Assert.True(DicomUid.IsValid(uid), uid);
            Assert.StartsWith(expectedPrefix, uid, StringComparison.Ordinal);
            Assert.True(uid.Length <= 64, uid);
        });
        Assert.Equal(uids.Count, uids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Generate_LongestAcceptedRoot_FillsExactlySixtyFourCharacters()
    {
        var root = "1." + new string('2', DicomUidGenerator.MaxRootLength - 2);
        var generator = new DicomUidGenerator(root, new FixedTimeProvider(Now));

        var uid = generator.Generate().Value;

        Assert.Equal(32, DicomUidGenerator.MaxRootLength);
        Assert.Equal(64, uid.Length);
        Assert.True(DicomUid.IsValid(uid), uid);
    }

    [Fact]
    public void Constructor_RootTooLong_Throws()
    {
        var root = "1." + new string('2', DicomUidGenerator.MaxRootLength - 1);

        var error = Assert.Throws<ArgumentException>(() => new DicomUidGenerator(root));
        Assert.Equal("organizationRoot", error.ParamName);
    }

    [Theory]
    [InlineData("1.02.3")]
    [InlineData("1.2.")]
    [InlineData("abc")]
    [InlineData("")]
    public void Constructor_InvalidRoot_Throws(string root)
    {
        var error = Assert.Throws<ArgumentException>(() => new DicomUidGenerator(root));
        Assert.Equal("organizationRoot", error.ParamName);
    }

    [Fact]
    public void Generate_ClockBefore1970_StaysValid()
    {
        var generator = new DicomUidGenerator("1.2.3", new FixedTimeProvider(new DateTimeOffset(1960, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        var uid = generator.Generate().Value;

        Assert.True(DicomUid.IsValid(uid), uid);
        Assert.StartsWith("1.2.3.0.", uid, StringComparison.Ordinal);
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
