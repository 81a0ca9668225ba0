using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Staged chunks as maintenance sees them (<see cref="IStagedChunkCleaner"/>), like a Blob container.</summary>
public sealed partial class InMemoryObjectStore
{
    public async Task<StagedChunkState> GetStagedChunkStateAsync(string path, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.GetStagedChunkState, path, cancellationToken);
        lock (_gate)
        {
            var chunks = _staged.TryGetValue(path, out var list) ? list.Select(c => new StagedChunk(c.Key, c.Value.Length)).ToList() : [];
            return new StagedChunkState(chunks, _objects.ContainsKey(path));
        }
    }

    public async Task<bool> DiscardUncommittedAsync(string path, CancellationToken cancellationToken)
    {
        await EnterAsync(Ops.DiscardUncommitted, path, cancellationToken);
        lock (_gate)
        {
            if (_objects.ContainsKey(path))
            {
                return false;
            }

            _staged.Remove(path);
            return true;
        }
    }
}
