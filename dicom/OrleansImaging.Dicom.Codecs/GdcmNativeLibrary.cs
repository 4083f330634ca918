using System.Reflection;
using System.Runtime.InteropServices;

namespace OrleansImaging.Dicom.Codecs;

/// <summary>
/// Points gdcm-sharp's P/Invokes at its native glue. The bindings import "gdcmsharpglue", which the
/// default probing does not find: Debian installs libgdcmsharpglue.so beside gdcm-sharp.dll in
/// /usr/lib/cli/gdcm-sharp-3.0, not on the loader's path. The build copies it next to our assemblies;
/// the Debian folder is the fallback. This keeps LD_LIBRARY_PATH out of every process that decodes.
/// </summary>
internal static class GdcmNativeLibrary
{
    private const string GlueImportName = "gdcmsharpglue";
    private const string GlueFileName = "libgdcmsharpglue.so";
    private const string DebianDirectory = "/usr/lib/cli/gdcm-sharp-3.0";

    private static readonly Lazy<bool> Registration = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Registers the resolver once per process, before the first GDCM call.</summary>
    public static void EnsureRegistered() => _ = Registration.Value;

    private static bool Register()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(gdcm.ImageReader).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The host registered its own resolver for gdcm-sharp: it knows better where the glue is.
        }
        // GDCM writes its warnings straight to stderr ("Encapsulated stream has more bits actually stored on disk",
        // once per JPEG 2000 frame it corrects): a server log would fill with them. What matters reaches callers as
        // results or DicomCodecException; errors stay on.
        gdcm.Trace.WarningOff();
        return true;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != GlueImportName)
            return IntPtr.Zero;
        foreach (var directory in CandidateDirectories(assembly))
        {
            if (NativeLibrary.TryLoad(Path.Combine(directory, GlueFileName), out var handle))
                return handle;
        }
        // Zero falls back to the default probing, whose DllNotFoundException names the library.
        return IntPtr.Zero;
    }

    private static IEnumerable<string> CandidateDirectories(Assembly assembly)
    {
        if (Path.GetDirectoryName(assembly.Location) is { Length: > 0 } beside)
            yield return beside;
        yield return AppContext.BaseDirectory;
        yield return DebianDirectory;
    }
}
