using System.Globalization;

namespace OrleansImaging.Edge.Upload;

/// <summary>
/// The command-line options <c>./imaging upload</c> and <c>./imaging edge start</c> share: where the cloud is, the token
/// (<c>--token</c>, <c>--token-file</c> or <c>IMAGING_TOKEN</c>), the certificate to trust and the bandwidth cap.
/// </summary>
internal sealed class CloudArguments
{
    public string? Cloud { get; private set; }

    public string? Token { get; private set; } = Environment.GetEnvironmentVariable("IMAGING_TOKEN");

    public string? CaCertificate { get; private set; }

    public double? LimitMbps { get; private set; }

    /// <summary>Takes <paramref name="argument"/> if it is a shared option, reading its value with <paramref name="next"/>.</summary>
    /// <exception cref="FormatException">A malformed value (the caller reports its message).</exception>
    public bool TryTake(string argument, Func<string> next)
    {
        switch (argument)
        {
            case "--cloud": Cloud = next(); return true;
            case "--token": Token = next(); return true;
            case "--token-file": Token = File.ReadAllText(next()).Trim(); return true;
            case "--cacert": CaCertificate = next(); return true;
            case "--limit-mbps": LimitMbps = double.Parse(next(), CultureInfo.InvariantCulture); return true;
            default: return false;
        }
    }

    /// <summary>The cloud's URL (with a trailing slash), or null with <paramref name="error"/> saying what is missing or wrong.</summary>
    public Uri? Validate(out string error)
    {
        error = "";
        if (Cloud is null || string.IsNullOrWhiteSpace(Token))
        {
            error = "--cloud and a token (--token, --token-file or IMAGING_TOKEN) are needed.";
            return null;
        }
        if (!Uri.TryCreate(Cloud.EndsWith('/') ? Cloud : Cloud + "/", UriKind.Absolute, out var cloud) || cloud.Scheme is not ("https" or "http"))
        {
            error = $"--cloud '{Cloud}' is not an http(s) URL.";
            return null;
        }
        if (LimitMbps is <= 0)
        {
            error = "--limit-mbps is above 0.";
            return null;
        }
        return cloud;
    }
}
