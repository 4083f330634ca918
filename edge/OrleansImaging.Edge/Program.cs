using OrleansImaging.Edge.Upload;

namespace OrleansImaging.Edge;

/// <summary>The hospital side of OrleansImaging: the upload client for folders and CDs (<c>./imaging upload</c>) and the edge service (<c>./imaging edge</c>).</summary>
internal static class EdgeProgram
{
    private static System.Runtime.InteropServices.PosixSignalRegistration? _terminate;

    private static async Task<int> Main(string[] args) => args switch
    {
        ["upload", .. var rest] => await UploadCommand.RunAsync(rest, Console.Error, CancellationTokenFromCtrlC()),
        ["edge", .. var rest] => await EdgeCommand.RunAsync(rest, CancellationTokenFromCtrlC()),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine(UploadCommand.Usage);
        Console.Error.WriteLine(EdgeCommand.Usage);
        return 2;
    }

    private static CancellationToken CancellationTokenFromCtrlC()
    {
        var source = new CancellationTokenSource();
        // SIGTERM (systemd, docker stop) stops as cleanly as Ctrl-C: the edge's spool is durable either way.
        _terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, e =>
        {
            e.Cancel = true;
            source.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl-C stops cleanly (the journal is on disk; a later run resumes); a second one kills.
            e.Cancel = !source.IsCancellationRequested;
            source.Cancel();
        };
        return source.Token;
    }
}
