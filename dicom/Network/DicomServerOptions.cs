using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace OrleansImaging.Dicom.Network;

/// <summary>The calling side of an association request, as the acceptor sees it.</summary>
/// <param name="CallingAeTitle">The calling AE title (trimmed).</param>
/// <param name="CalledAeTitle">The called AE title (trimmed).</param>
/// <param name="RemoteEndPoint">The peer's address, when the transport knows it.</param>
public sealed record DicomAssociationPeer(string CallingAeTitle, string CalledAeTitle, EndPoint? RemoteEndPoint);

/// <summary>How a <see cref="DicomServer"/> negotiates and guards associations.</summary>
public sealed class DicomServerOptions
{
    /// <summary>Our AE title: an A-ASSOCIATE-RQ calling another is rejected (called AE title not recognized).</summary>
    /// <value>"ORLEANSIMG".</value>
    public string AeTitle { get; init; } = "ORLEANSIMG";

    /// <summary>
    /// Decides whether a calling AE (and address) may associate, e.g. against the devices registered for the
    /// hospital; a false answer rejects with "calling AE title not recognized".
    /// </summary>
    /// <value>Null: every calling AE is allowed.</value>
    public Func<DicomAssociationPeer, bool>? IsCallingAeAllowed { get; init; }

    /// <summary>The abstract syntaxes accepted; any other is rejected per context (abstract syntax not supported).</summary>
    /// <value>Verification and <see cref="DicomStorageSopClasses.DefaultStorage"/>.</value>
    public IReadOnlyList<string> AbstractSyntaxes { get; init; } = [DicomStorageSopClasses.Verification, .. DicomStorageSopClasses.DefaultStorage];

    /// <summary>
    /// The transfer syntaxes accepted, in order of preference; a context offering none of them is rejected (transfer
    /// syntaxes not supported).
    /// </summary>
    /// <value><see cref="DicomStorageSopClasses.DefaultTransferSyntaxes"/>.</value>
    public IReadOnlyList<string> TransferSyntaxes { get; init; } = DicomStorageSopClasses.DefaultTransferSyntaxes;

    /// <summary>
    /// The maximum P-DATA-TF length we announce (51H) and accept; a longer PDU aborts the association. Other PDUs
    /// (an A-ASSOCIATE-RQ with many contexts) may be up to 64 KiB whatever this says.
    /// </summary>
    /// <value>64 KiB.</value>
    public uint MaxPduLength { get; init; } = 64 * 1024;

    /// <summary>The ARTIM timer (PS3.8 9.1.5): an A-ASSOCIATE-RQ must arrive this soon after the connection opens.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait for the peer's next PDU inside an association before it is aborted.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most associations served at once; more are rejected (transient, local limit exceeded).</summary>
    /// <value>64.</value>
    public int MaxAssociations { get; init; } = 64;

    /// <summary>Where association events and refusals go, each line naming the peer's address. No PII beyond AE titles.</summary>
    /// <value>Null: not logged.</value>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// DICOM over TLS (PS3.15 B.1): the server certificate, with its private key. Each accepted connection completes a
    /// TLS handshake (within the ARTIM time) before the association; a failed handshake is logged and closed.
    /// </summary>
    /// <value>Null: plain TCP.</value>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>The clock the ARTIM and idle timers run on.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(AeTitle) || AeTitle.Length > 16)
            throw new ArgumentException($"The AE title '{AeTitle}' must be 1 to 16 characters.", nameof(AeTitle));
        if (MaxPduLength is > 0 and < 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxPduLength), MaxPduLength, "The maximum PDU length must be 0 (no limit) or at least 1024.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxAssociations);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ArtimTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleTimeout, TimeSpan.Zero);
    }
}
