using OrleansImaging.Dicom.Text;

namespace OrleansImaging.Dicom.Tests.Text;

public sealed class DicomPersonNameTests
{
    [Fact]
    public void Parse_ThreeGroups_SplitsGroupsAndComponents()
    {
        var name = DicomPersonName.Parse("Yamada^Tarou=山田^太郎=やまだ^たろう");

        Assert.Equal(new DicomPersonNameGroup("Yamada", "Tarou", "", "", ""), name.Alphabetic);
        Assert.Equal(new DicomPersonNameGroup("山田", "太郎", "", "", ""), name.Ideographic);
        Assert.Equal(new DicomPersonNameGroup("やまだ", "たろう", "", "", ""), name.Phonetic);
        Assert.Equal("Yamada^Tarou=山田^太郎=やまだ^たろう", name.ToString());
    }

    [Fact]
    public void Parse_OnlyIdeographic_KeepsLeadingGroupDelimiter()
    {
        var name = DicomPersonName.Parse("=王^小东");

        Assert.True(name.Alphabetic.IsEmpty);
        Assert.Equal(new DicomPersonNameGroup("王", "小东", "", "", ""), name.Ideographic);
        Assert.True(name.Phonetic.IsEmpty);
        Assert.Equal("=王^小东", name.ToString());
    }

    [Fact]
    public void Parse_OnlyPhonetic_KeepsBothGroupDelimiters()
    {
        var name = DicomPersonName.Parse("==やまだ");

        Assert.Equal(new DicomPersonNameGroup("やまだ", "", "", "", ""), name.Phonetic);
        Assert.Equal("==やまだ", name.ToString());
    }

    [Fact]
    public void Parse_TrailingEmptyGroupAndPadding_ToStringDropsThem()
    {
        var name = DicomPersonName.Parse("Wang^XiaoDong=王^小東= ");

        Assert.True(name.Phonetic.IsEmpty);
        Assert.Equal("Wang^XiaoDong=王^小東", name.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("^^^^")]
    [InlineData("==")]
    [InlineData("^^=^=  ")]
    public void Parse_NoComponents_IsEmpty(string? value)
    {
        var name = DicomPersonName.Parse(value);

        Assert.True(name.IsEmpty);
        Assert.Equal(DicomPersonName.Empty, name);
        Assert.Equal("", name.ToString());
    }

    [Fact]
    public void Parse_FiveComponents_FillsEveryComponent()
    {
        var name = DicomPersonName.Parse("Adams^John Robert Quincy^^Rev.^B.A. M.Div.");

        Assert.Equal(new DicomPersonNameGroup("Adams", "John Robert Quincy", "", "Rev.", "B.A. M.Div."), name.Alphabetic);
        Assert.Equal("Adams^John Robert Quincy^^Rev.^B.A. M.Div.", name.ToString());
    }

    [Fact]
    public void Parse_EmptyMiddleComponent_ToStringKeepsIt()
    {
        var name = DicomPersonName.Parse("Doctor^Who^^MD^");

        Assert.Equal("MD", name.Alphabetic.NamePrefix);
        Assert.Equal("Doctor^Who^^MD", name.ToString());
    }

    [Fact]
    public void Parse_ExtraDelimiters_StayInLastGroupAndComponent()
    {
        var name = DicomPersonName.Parse("A^B^C^D^E^F=x=y=z");

        Assert.Equal("E^F", name.Alphabetic.NameSuffix);
        Assert.Equal("y=z", name.Phonetic.FamilyName);
        Assert.Equal("A^B^C^D^E^F=x=y=z", name.ToString());
    }
}
