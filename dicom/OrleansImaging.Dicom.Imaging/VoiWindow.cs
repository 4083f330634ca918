namespace OrleansImaging.Dicom.Imaging;

/// <summary>The VOI LUT Function (0028,1056) of PS3.3 C.11.2.1.3: how a window maps values to grey levels.</summary>
public enum VoiLutFunction
{
    /// <summary>LINEAR (the default): the window of PS3.3 C.11.2.1.2.1, with its half-pixel offsets.</summary>
    Linear,

    /// <summary>LINEAR_EXACT: a straight line from center − width/2 to center + width/2 (C.11.2.1.3.2).</summary>
    LinearExact,

    /// <summary>SIGMOID: a logistic curve centred on the center, width setting its slope (C.11.2.1.3.1).</summary>
    Sigmoid,
}

/// <summary>
/// A VOI window (PS3.3 C.11.2.1.2): Window Center (0028,1050), Window Width (0028,1051) and the VOI LUT Function,
/// applied to modality values (after rescale slope/intercept) to give display values.
/// </summary>
/// <param name="Center">Window Center, in modality units (e.g. HU for CT).</param>
/// <param name="Width">Window Width: at least 1 for <see cref="VoiLutFunction.Linear"/>, above 0 otherwise.</param>
/// <param name="Function">The VOI LUT Function.</param>
public readonly record struct VoiWindow(double Center, double Width, VoiLutFunction Function = VoiLutFunction.Linear)
{
    /// <summary>Whether the width suits the function (PS3.3: ≥ 1 for LINEAR, &gt; 0 for the others) and both are finite.</summary>
    public bool IsValid => double.IsFinite(Center) && double.IsFinite(Width)
        && (Function == VoiLutFunction.Linear ? Width >= 1 : Width > 0);

    /// <summary>
    /// The display value of modality value <paramref name="x"/> in [0, <paramref name="outputMaximum"/>], unrounded,
    /// by the formulas of PS3.3 C.11.2.1.2.1 (LINEAR), C.11.2.1.3.2 (LINEAR_EXACT) and C.11.2.1.3.1 (SIGMOID).
    /// </summary>
    public double Apply(double x, double outputMaximum = 255)
    {
        switch (Function)
        {
            case VoiLutFunction.LinearExact:
                if (x <= Center - Width / 2)
                    return 0;
                if (x > Center + Width / 2)
                    return outputMaximum;
                return ((x - Center) / Width + 0.5) * outputMaximum;
            case VoiLutFunction.Sigmoid:
                return outputMaximum / (1 + Math.Exp(-4 * (x - Center) / Width));
            default:
                // A width of 1 leaves no ramp: the two tests alone split the values at center − 0.5.
                if (x <= Center - 0.5 - (Width - 1) / 2)
                    return 0;
                if (x > Center - 0.5 + (Width - 1) / 2)
                    return outputMaximum;
                return ((x - (Center - 0.5)) / (Width - 1) + 0.5) * outputMaximum;
        }
    }

    /// <summary>
    /// The window that maps the range [<paramref name="minimum"/>, <paramref name="maximum"/>] onto the whole output,
    /// the default when an object carries no window (as dcmtk's min-max window does).
    /// </summary>
    public static VoiWindow FromRange(double minimum, double maximum) =>
        new((minimum + maximum) / 2, Math.Max(maximum - minimum, 1), VoiLutFunction.LinearExact);

    /// <summary>Parses a VOI LUT Function name: LINEAR, LINEAR_EXACT (or linear-exact) or SIGMOID, any case.</summary>
    public static bool TryParseFunction(string? text, out VoiLutFunction function)
    {
        function = VoiLutFunction.Linear;
        switch (text?.Trim().Replace('-', '_').ToUpperInvariant())
        {
            case "LINEAR":
                return true;
            case "LINEAR_EXACT":
                function = VoiLutFunction.LinearExact;
                return true;
            case "SIGMOID":
                function = VoiLutFunction.Sigmoid;
                return true;
            default:
                return false;
        }
    }
}
