namespace OrleansImaging.LoadTests.Dicom;

/// <summary>Who and where a synthetic CT slice is: the values <see cref="SyntheticCt"/> writes per instance.</summary>
internal sealed record SyntheticCtSlice(
    string PatientName,
    string PatientId,
    string AccessionNumber,
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string FrameOfReferenceUid,
    string SopInstanceUid,
    int InstanceNumber,
    double SlicePosition)
{
    /// <summary>The parse benchmark's slice (its UIDs have always been these).</summary>
    public static SyntheticCtSlice Fixed { get; } = new(
        "Doe^Jane^^^", "PAT-0042", "ACC20261125",
        "1.2.826.0.1.3680043.10.1.1", "1.2.826.0.1.3680043.10.1.1.1", "1.2.826.0.1.3680043.10.1.1.9",
        "1.2.826.0.1.3680043.10.1.1.1.3", 42, -117.5);
}
