namespace OrleansImaging.Dicom.IO;

/// <summary>
/// How this library identifies itself in the File Meta Information of the files it writes
/// (PS3.7 D.3.3.2): (0002,0012) Implementation Class UID and (0002,0013) Implementation Version Name.
/// </summary>
public static class DicomImplementation
{
    /// <summary>
    /// The Implementation Class UID: a UUID-derived UID (PS3.5 B.2) generated once for this library.
    /// It names the implementation, so it changes only when the encoder's behaviour does.
    /// </summary>
    public const string ClassUid = "2.25.273737641324454528260999025320356893956";

    /// <summary>The Implementation Version Name (SH, at most 16 characters).</summary>
    public const string VersionName = "ORLEANSIMG_01";
}
