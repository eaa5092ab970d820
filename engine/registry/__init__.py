"""What the outside world serves: the images `docker pull` can fetch (`catalog`), built from
data files (`data/`: each image's tags, config, history and layer files, their texts in `files`), and
the package mirrors apk, apt-get and pip install from, with what an install prints and leaves
(`packages`, `pip_install`, `installs`). It builds layers from data and may use the layers package and
the foundation, nothing above: the daemon pulls from it and the shell's package managers install from it.
"""
