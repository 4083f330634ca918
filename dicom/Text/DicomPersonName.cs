namespace OrleansImaging.Dicom.Text;

/// <summary>Interim person name (replaced by the full component-group implementation).</summary>
/// <param name="Value">The decoded PN value.</param>
public sealed record DicomPersonName(string Value)
{
    /// <summary>Parses a decoded PN value.</summary>
    public static DicomPersonName Parse(string value) => new(value);
}
