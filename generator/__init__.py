"""ssj: 双随机一公开 supervision records, checks, draws and public site."""
