using System.Reflection;

namespace OrleansImaging.Dicom.Tests.Uids;

public sealed class DicomUidTests
{
    [Fact]
    public void CTImageStorage_Registered_HasValueNameAndType()
    {
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", DicomUid.CTImageStorage.Value);
        Assert.Equal("CT Image Storage", DicomUid.CTImageStorage.Name);
        Assert.Equal("CTImageStorage", DicomUid.CTImageStorage.Keyword);
        Assert.Equal(DicomUidType.SopClass, DicomUid.CTImageStorage.Type);
        Assert.False(DicomUid.CTImageStorage.IsRetired);
    }

    [Fact]
    public void ExplicitVRLittleEndian_Registered_IsTransferSyntax()
    {
        Assert.Equal("1.2.840.10008.1.2.1", DicomUid.ExplicitVRLittleEndian.Value);
        Assert.Equal(DicomUidType.TransferSyntax, DicomUid.ExplicitVRLittleEndian.Type);
    }

    [Fact]
    public void ExplicitVRBigEndian_Registered_IsRetired()
    {
        Assert.True(DicomUid.ExplicitVRBigEndian.IsRetired);
    }

    [Theory]
    [InlineData("1.2.840.10008.1.1", DicomUidType.SopClass)]
    [InlineData("1.2.840.10008.3.1.1.1", DicomUidType.ApplicationContextName)]
    [InlineData("1.2.840.10008.3.1.2.1.4", DicomUidType.MetaSopClass)]
    [InlineData("1.2.840.10008.1.5.1", DicomUidType.WellKnownSopInstance)]
    [InlineData("1.2.840.10008.1.20", DicomUidType.TransferSyntax)]
    [InlineData("1.2.840.10008.2.16.4", DicomUidType.CodingScheme)]
    public void TryLookup_RegisteredValue_HasType(string value, DicomUidType expected)
    {
        Assert.True(DicomUid.TryLookup(value, out var uid));

        Assert.Equal(expected, uid.Type);
    }

    [Fact]
    public void TryLookup_PaddedValue_ReturnsRegisteredInstance()
    {
        Assert.True(DicomUid.TryLookup("1.2.840.10008.1.2.1\0", out var uid));

        Assert.Same(DicomUid.ExplicitVRLittleEndian, uid);
    }

    [Fact]
    public void TryLookup_RetiredUidWithoutKeyword_IsRegistered()
    {
        Assert.True(DicomUid.TryLookup("1.2.840.10008.5.1.4.1.1.40", out var uid));

        Assert.True(uid.IsRetired);
        Assert.Equal(DicomUidType.SopClass, uid.Type);
    }

    [Fact]
    public void TryLookup_UnregisteredValue_IsNotFound()
    {
        Assert.False(DicomUid.TryLookup("1.2.3.4", out var uid));
        Assert.Null(uid);
    }

    [Fact]
    public void FromValue_UnregisteredValue_IsUnknownAndEqualByValue()
    {
        var uid = DicomUid.FromValue("1.2.3.4");

        Assert.Equal(DicomUidType.Unknown, uid.Type);
        Assert.Equal(string.Empty, uid.Name);
        Assert.Equal(new DicomUid("1.2.3.4"), uid);
        Assert.True(uid == new DicomUid("1.2.3.4"));
        Assert.NotEqual(DicomUid.FromValue("1.2.3.5"), uid);
    }

    [Fact]
    public void GeneratedMembers_Every_AreValidAndLookUpToThemselves()
    {
        var members = typeof(DicomUid).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.PropertyType == typeof(DicomUid))
            .Select(f => (Name: f.Name, Uid: (DicomUid)f.GetValue(null)!))
            .ToList();
        Assert.True(members.Count > 400, $"only {members.Count} UID members");

        foreach (var (name, uid) in members)
        {
            Assert.True(DicomUid.IsValid(uid.Value), $"{name}: {uid.Value}");
            Assert.True(DicomUid.TryLookup(uid.Value, out var found), name);
            Assert.Same(uid, found);
            Assert.NotEqual(DicomUidType.Unknown, uid.Type);
        }
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("0")]
    [InlineData("2.25.0")]
    [InlineData("1.0.3")]
    [InlineData("2.25.329800735698586629295641978511506172918")]
    [InlineData("1.2.345678901234567890123456789012345678901234567890123456789012")]
    public void IsValid_WellFormed_IsTrue(string uid)
    {
        Assert.True(DicomUid.IsValid(uid));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.02")]
    [InlineData("01.2")]
    [InlineData("1.2.00")]
    [InlineData("1..2")]
    [InlineData(".1.2")]
    [InlineData("1.2.")]
    [InlineData("1.2.a")]
    [InlineData("1.2.3 ")]
    [InlineData("1,2")]
    [InlineData("1.2.840.10008.1.2\0")]
    [InlineData("1.2.34567890123456789012345678901234567890123456789012345678901234")]
    public void IsValid_Malformed_IsFalse(string uid)
    {
        Assert.False(DicomUid.IsValid(uid));
    }

    [Fact]
    public void IsValid_SixtyFourAndSixtyFiveCharacters_AcceptsOnlyTheFirst()
    {
        var sixtyFour = "1." + new string('9', 62);

        Assert.Equal(64, sixtyFour.Length);
        Assert.True(DicomUid.IsValid(sixtyFour));
        Assert.False(DicomUid.IsValid(sixtyFour + "9"));
    }
}
