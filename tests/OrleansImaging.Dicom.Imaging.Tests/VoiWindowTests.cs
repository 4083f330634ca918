namespace OrleansImaging.Dicom.Imaging.Tests;

/// <summary>The window functions of PS3.3 C.11.2.1.2/C.11.2.1.3 at points whose values follow from the formulas by hand.</summary>
public sealed class VoiWindowTests
{
    [Theory]
    // LINEAR, c = 40, w = 400: the ramp runs over (−160, 239]; its middle is c − 0.5.
    [InlineData(-1000, 0)]
    [InlineData(-160, 0)]
    [InlineData(39.5, 127.5)]
    [InlineData(239, 255)]
    [InlineData(240, 255)]
    [InlineData(40, 127.819548872)] // (0.5 / 399 + 0.5) × 255
    public void Apply_Linear_MatchesPs3_3Formula(double x, double expected) =>
        Assert.Equal(expected, new VoiWindow(40, 400).Apply(x), 6);

    [Theory]
    // LINEAR_EXACT, c = 40, w = 400: a straight line from −160 to 240.
    [InlineData(-160, 0)]
    [InlineData(-159, 0.6375)]
    [InlineData(40, 127.5)]
    [InlineData(140, 191.25)]
    [InlineData(240, 255)]
    [InlineData(241, 255)]
    public void Apply_LinearExact_MatchesPs3_3Formula(double x, double expected) =>
        Assert.Equal(expected, new VoiWindow(40, 400, VoiLutFunction.LinearExact).Apply(x), 6);

    [Theory]
    // SIGMOID: 255 / (1 + e^(−4(x − c)/w)).
    [InlineData(40, 127.5)]
    [InlineData(240, 224.60325488)] // e^−2
    [InlineData(-160, 30.39674512)] // e^2
    public void Apply_Sigmoid_MatchesPs3_3Formula(double x, double expected) =>
        Assert.Equal(expected, new VoiWindow(40, 400, VoiLutFunction.Sigmoid).Apply(x), 5);

    [Fact]
    public void Apply_AtCenter_LinearAndLinearExactDiffer()
    {
        var linear = new VoiWindow(100, 11);
        var exact = linear with { Function = VoiLutFunction.LinearExact };

        Assert.Equal(140.25, linear.Apply(100), 6); // ((100 − 99.5) / 10 + 0.5) × 255
        Assert.Equal(127.5, exact.Apply(100), 6);
    }

    [Fact]
    public void Apply_LinearWidthOne_SplitsAtCenterMinusHalf()
    {
        var window = new VoiWindow(10, 1);

        Assert.Equal(0, window.Apply(9.5));
        Assert.Equal(255, window.Apply(9.6));
    }

    [Theory]
    [InlineData(0, 1, VoiLutFunction.Linear, true)]
    [InlineData(0, 0.5, VoiLutFunction.Linear, false)]
    [InlineData(0, 0.5, VoiLutFunction.LinearExact, true)]
    [InlineData(0, 0, VoiLutFunction.LinearExact, false)]
    [InlineData(0, 0, VoiLutFunction.Sigmoid, false)]
    [InlineData(0, -5, VoiLutFunction.Sigmoid, false)]
    [InlineData(double.NaN, 10, VoiLutFunction.Linear, false)]
    [InlineData(0, double.PositiveInfinity, VoiLutFunction.Linear, false)]
    public void IsValid_WidthRulesPerFunction(double center, double width, VoiLutFunction function, bool expected) =>
        Assert.Equal(expected, new VoiWindow(center, width, function).IsValid);

    [Theory]
    [InlineData("linear", VoiLutFunction.Linear)]
    [InlineData("LINEAR_EXACT", VoiLutFunction.LinearExact)]
    [InlineData("linear-exact", VoiLutFunction.LinearExact)]
    [InlineData(" Sigmoid ", VoiLutFunction.Sigmoid)]
    public void TryParseFunction_KnownNames_Parsed(string text, VoiLutFunction expected)
    {
        Assert.True(VoiWindow.TryParseFunction(text, out var function));
        Assert.Equal(expected, function);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("log")]
    [InlineData("linearexact")]
    public void TryParseFunction_UnknownNames_Refused(string? text) => Assert.False(VoiWindow.TryParseFunction(text, out _));

    [Fact]
    public void FromRange_MapsMinimumToBlackAndMaximumToWhite()
    {
        var window = VoiWindow.FromRange(-1000, 3000);

        Assert.Equal(0, window.Apply(-1000));
        Assert.Equal(255, window.Apply(3000));
        Assert.Equal(127.5, window.Apply(1000), 6);
    }
}
