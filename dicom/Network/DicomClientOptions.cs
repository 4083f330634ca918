using System.Net.Security;

namespace OrleansImaging.Dicom.Network;

/// <summary>How a <see cref="DicomClientAssociation"/> requests an association.</summary>
public sealed class DicomClientOptions
{
    /// <summary>Our AE title.</summary>
    /// <value>"ORLEANSIMG".</value>
    public string CallingAeTitle { get; init; } = "ORLEANSIMG";

    /// <summary>The peer's AE title.</summary>
    /// <value>"ANY-SCP".</value>
    public string CalledAeTitle { get; init; } = "ANY-SCP";

    /// <summary>The maximum P-DATA-TF length we announce (51H) and accept.</summary>
    /// <value>64 KiB.</value>
    public uint MaxPduLength { get; init; } = 64 * 1024;

    /// <summary>
    /// DICOM over TLS: how to authenticate the peer (and ourselves); the target host defaults to the host connected to.
    /// </summary>
    /// <value>Null: plain TCP.</value>
    public SslClientAuthenticationOptions? Tls { get; init; }

    /// <summary>The longest wait for the connection and for each PDU the peer owes us.</summary>
    /// <value>60 seconds.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>A presentation context to propose: an abstract syntax and the transfer syntaxes we can send it in.</summary>
/// <param name="AbstractSyntax">The SOP class UID.</param>
/// <param name="TransferSyntaxes">The transfer syntax UIDs, preferred first.</param>
public sealed record DicomPresentationContextProposal(string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes)
{
    /// <summary>
    /// One proposal per distinct (SOP class, transfer syntax) of the Part 10 files at <paramref name="paths"/>, each
    /// with exactly the file's syntax (we send files as they are, never transcoded), plus Verification.
    /// </summary>
    /// <exception cref="DicomException">A file is not Part 10 or lacks the UIDs in its meta group.</exception>
    public static async Task<IReadOnlyList<DicomPresentationContextProposal>> ForFilesAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var pairs = new List<(string, string)>();
        foreach (var path in paths)
        {
            var layout = await DicomPart10Layout.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            var pair = (layout.SopClassUid, layout.TransferSyntax.Uid);
            if (!pairs.Contains(pair))
                pairs.Add(pair);
        }
        return
        [
            new DicomPresentationContextProposal(DicomStorageSopClasses.Verification, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid]),
            .. pairs.Select(p => new DicomPresentationContextProposal(p.Item1, [p.Item2])),
        ];
    }
}

/// <summary>The peer's answer to a C-STORE-RQ or C-ECHO-RQ.</summary>
/// <param name="Status">(0000,0900).</param>
/// <param name="ErrorComment">(0000,0902), if the peer sent one.</param>
public sealed record DicomResponse(ushort Status, string? ErrorComment)
{
    /// <summary>True for success and warnings, after which a stored instance counts as stored.</summary>
    public bool IsSuccess => DicomStatus.IsStored(Status);
}
