using System.Globalization;
using System.Diagnostics;

namespace OrleansImaging.Edge.Upload;

/// <summary>
/// The progress line: files, bytes, rate and ETA. On a terminal it redraws one line a few times a second; when the
/// output is redirected (a log) it prints a line every 5 seconds instead.
/// </summary>
internal sealed class UploadProgress(int files, long totalBytes, TextWriter output, bool plain)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _bytes;
    private int _filesDone;

    /// <summary>Bytes counted as sent so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>A progress for one file: reports its offset; the difference is added to the total.</summary>
    public IProgress<long> ForFile() => new FileProgress(this);

    /// <summary>Counts a finished file.</summary>
    public void FileDone(long length) => Interlocked.Increment(ref _filesDone);

    /// <summary>Starts redrawing; dispose to stop.</summary>
    public IDisposable Start() => new Timer(_ => Draw(final: false), null, TimeSpan.Zero, plain ? TimeSpan.FromSeconds(5) : TimeSpan.FromMilliseconds(250));

    /// <summary>Draws the last state and ends the line.</summary>
    public void Finish() => Draw(final: true);

    private void Draw(bool final)
    {
        var bytes = Bytes;
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var rate = bytes / seconds;
        var eta = rate > 0 && totalBytes > bytes ? TimeSpan.FromSeconds((totalBytes - bytes) / rate) : TimeSpan.Zero;
        var fraction = totalBytes == 0 ? 1 : Math.Clamp((double)bytes / totalBytes, 0, 1);
        var bar = new string('#', (int)(fraction * 24)).PadRight(24, '.');
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{bar}] {Volatile.Read(ref _filesDone)}/{files} files  {bytes / 1e6:F1}/{totalBytes / 1e6:F1} MB  {rate / 1e6:F1} MB/s  ETA {eta:h\\:mm\\:ss}");
        lock (output)
        {
            if (plain)
                output.WriteLine(line);
            else
                output.Write("\r" + line + (final ? "\n" : ""));
            output.Flush();
        }
    }

    private sealed class FileProgress(UploadProgress owner) : IProgress<long>
    {
        private long _last;

        public void Report(long value)
        {
            // Offsets only grow within a file; a restart from a lower committed offset does not count twice.
            var delta = value - _last;
            if (delta <= 0)
                return;
            _last = value;
            Interlocked.Add(ref owner._bytes, delta);
        }
    }
}

/// <summary>A token bucket over all files of a run: the bandwidth cap.</summary>
internal sealed class BandwidthLimit(long bytesPerSecond)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private double _sent;

    /// <summary>Waits until sending <paramref name="bytes"/> more keeps the average at or below the cap.</summary>
    public async ValueTask WaitAsync(long bytes, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _sent += bytes;
            var due = TimeSpan.FromSeconds(_sent / bytesPerSecond) - _clock.Elapsed;
            if (due > TimeSpan.Zero)
                await Task.Delay(due, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
