package dev.sparseinfer.cuda;

/** Grid and block dimensions and dynamic shared memory of one launch. */
record LaunchGeometry(int gridX, int gridY, int blockX, int sharedBytes) {

    LaunchGeometry {
        if (gridX < 1 || gridY < 1 || blockX < 32 || blockX > 1024 || blockX % 32 != 0 || sharedBytes < 0) {
            throw new IllegalArgumentException("launch geometry grid (" + gridX + ", " + gridY + "), block " + blockX
                    + ", " + sharedBytes + " shared bytes");
        }
    }

    static LaunchGeometry grid(int gridX, int gridY, int blockX, int sharedBytes) {
        return new LaunchGeometry(gridX, gridY, blockX, sharedBytes);
    }
}
