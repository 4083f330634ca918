using System.Security.Cryptography;
using System.Text;

namespace OrleansImaging.Api.Hosting;

/// <summary>
/// The instance's admin key: 256 random bits, generated on every start into <c>$IMAGING_DATA/admin.key</c>
/// (owner-only) for <c>./imaging admin …</c> to read, so only the account that runs the instance can administer it
/// and a key that leaked dies with the process. Only its SHA-256 is kept in memory, compared in constant time.
/// </summary>
public sealed class AdminKey
{
    /// <summary>The file name inside the data directory.</summary>
    public const string FileName = "admin.key";

    private readonly byte[] _sha256;

    private AdminKey(string key) => _sha256 = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Generates a new key and writes it to <paramref name="dataDirectory"/>, replacing the previous one.</summary>
    public static AdminKey CreateFile(string dataDirectory)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var path = Path.Combine(dataDirectory, FileName);
        var temporary = path + ".tmp";
        File.Delete(temporary); // FileMode.Create would keep the permissions of a stale file
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var file = new FileStream(temporary, fileOptions))
        {
            file.Write(Encoding.ASCII.GetBytes(key + "\n"));
        }
        File.Move(temporary, path, overwrite: true);
        return new AdminKey(key);
    }

    /// <summary>Whether <paramref name="presented"/> is the key (constant time whatever its length).</summary>
    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _sha256);
}
